#!/usr/bin/env python3
"""Writes the three demo regional catalogues (DCAT-AP 3, Turtle) from the tables below.

The places and councils are fictional; the datasets are the kinds that real UK councils
publish, described the way their portals describe them. Northmoor and Southvale are
cities; Westshire is the county around them, and its catalogue republishes some of the
cities' datasets under its own IRIs (same identifier and landing page), as county hubs do.

Run from the repository root: python3 datasets/demo/generate_catalogues.py
"""
from pathlib import Path

OUT = Path(__file__).resolve().parent
THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FTYPE = "http://publications.europa.eu/resource/authority/file-type/"
FREQ = "http://publications.europa.eu/resource/authority/frequency/"
OGL = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
MEDIA = {
    "CSV": "text/csv", "JSON": "application/json", "GEOJSON": "application/geo+json",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "PDF": "application/pdf", "SHP": "application/zip", "XML": "application/xml",
    "KML": "application/vnd.google-earth.kml+xml",
}

# (slug, title, description, themes, keywords, department, formats, frequency, issued)
# "{P}" is the place name. Shared by both cities.
CITY = [
    ("air-quality-no2-diffusion-tubes", "{P} air quality: nitrogen dioxide diffusion tube results",
     "Monthly nitrogen dioxide concentrations from the council's network of passive diffusion tubes at roadside and background sites across {P}, with site locations. Used for the annual air quality status report and to review air quality management areas.",
     "ENVI HEAL", "air quality;nitrogen dioxide;NO2;pollution;monitoring", "Environmental Health", "CSV GEOJSON", "MONTHLY", "2019-04-01"),
    ("air-quality-continuous-monitoring", "{P} continuous air quality monitoring stations",
     "Hourly readings of nitrogen dioxide, PM10 and PM2.5 from the automatic monitoring stations run by {P} City Council, with station metadata. Readings are provisional until ratified.",
     "ENVI HEAL", "air quality;particulate matter;PM2.5;PM10;real-time", "Environmental Health", "CSV JSON", "HOURLY", "2020-01-15"),
    ("food-hygiene-inspections", "{P} food hygiene inspection results",
     "Food hygiene ratings and inspection dates for food businesses in {P}, as published under the national Food Hygiene Rating Scheme, with business type and address.",
     "HEAL ECON", "food hygiene;inspections;restaurants;food safety", "Environmental Health", "CSV XML", "WEEKLY", "2015-06-01"),
    ("school-admissions-offers", "{P} primary and secondary school admissions: applications and offers",
     "Number of applications, first-preference offers and places offered per school for each admissions round in {P}, with the furthest distance offered.",
     "EDUC", "school admissions;schools;education;places", "Children's Services", "CSV XLSX", "ANNUAL", "2017-04-16"),
    ("school-locations", "{P} schools: locations and types",
     "Every state-funded school in {P} with its type, age range, capacity, ward and coordinates.",
     "EDUC REGI", "schools;education;locations", "Children's Services", "CSV GEOJSON", "ANNUAL", "2016-09-01"),
    ("bus-stops", "{P} bus stops and shelters",
     "Location, name, NaPTAN code and accessibility features (raised kerb, shelter, real-time display) of every bus stop in {P}.",
     "TRAN", "bus stops;public transport;accessibility;NaPTAN", "Highways and Transport", "CSV GEOJSON", "QUARTERLY", "2016-02-10"),
    ("road-traffic-collisions", "{P} road traffic collisions",
     "Reported personal-injury road traffic collisions in {P} with date, time, location, severity, vehicles and casualties, from police STATS19 returns.",
     "TRAN JUST", "road safety;collisions;casualties;STATS19", "Highways and Transport", "CSV", "ANNUAL", "2014-07-01"),
    ("traffic-counts", "{P} automatic traffic counts",
     "Vehicle, cycle and pedestrian counts from permanent automatic counters on main roads in {P}, in 15-minute intervals.",
     "TRAN", "traffic counts;cycling;walking;congestion", "Highways and Transport", "CSV JSON", "DAILY", "2018-03-01"),
    ("car-park-occupancy", "{P} car park occupancy (live)",
     "Live and historic occupancy of council-run multi-storey and surface car parks in {P}, with capacity, tariffs and disabled bays.",
     "TRAN", "parking;car parks;occupancy;real-time", "Parking Services", "JSON CSV", "UPDATE_CONT", "2019-05-20"),
    ("ev-charge-points", "{P} electric vehicle charge points",
     "Public electric vehicle charge points on council land in {P}: location, connector types, power rating and operator.",
     "TRAN ENER", "electric vehicles;charge points;EV;net zero", "Highways and Transport", "CSV GEOJSON", "MONTHLY", "2021-03-01"),
    ("potholes-reported", "{P} reported potholes and road defects",
     "Road defects reported by the public and found by highway inspectors in {P}, with location, category, reported date and repair date.",
     "TRAN GOVE", "potholes;highways;road maintenance;street reports", "Highways and Transport", "CSV", "WEEKLY", "2018-10-01"),
    ("street-lighting", "{P} street lighting assets",
     "Inventory of street lights in {P}: column location, lamp type, wattage and LED conversion status.",
     "ENER TRAN", "street lights;LED;energy;assets", "Highways and Transport", "CSV GEOJSON", "ANNUAL", "2017-11-01"),
    ("fly-tipping-incidents", "{P} fly-tipping incidents",
     "Fly-tipping reports in {P} with waste type, size, land type, location and clearance date.",
     "ENVI GOVE", "fly-tipping;waste;enforcement;environment", "Waste and Street Cleansing", "CSV", "MONTHLY", "2018-01-10"),
    ("household-waste-recycling-rates", "{P} household waste and recycling tonnages",
     "Tonnages of household waste collected in {P} by stream (residual, dry recycling, food, garden) and the resulting recycling rate, by month.",
     "ENVI", "recycling;waste;bin collections;circular economy", "Waste and Street Cleansing", "CSV XLSX", "MONTHLY", "2016-05-01"),
    ("bin-collection-days", "{P} bin collection days by street",
     "Collection day and week for residual, recycling and garden waste bins for every street in {P}.",
     "ENVI SOCI", "bin collections;waste;recycling;services", "Waste and Street Cleansing", "CSV JSON", "QUARTERLY", "2019-02-01"),
    ("planning-applications", "{P} planning applications",
     "Planning applications received by {P} City Council with site address, proposal, application type, decision and decision date.",
     "REGI GOVE", "planning;development;applications;housing", "Planning", "CSV JSON", "DAILY", "2015-01-05"),
    ("brownfield-land-register", "{P} brownfield land register",
     "Previously developed land in {P} that the council considers suitable for housing, in the national brownfield register data standard.",
     "REGI", "brownfield;housing land;regeneration", "Planning", "CSV", "ANNUAL", "2017-12-31"),
    ("licensed-hmos", "{P} licensed houses in multiple occupation",
     "Houses in multiple occupation licensed by {P} City Council: address, licence holder type, number of households and occupants, and licence expiry.",
     "SOCI REGI", "HMO;housing;private rented;licensing", "Housing", "CSV", "MONTHLY", "2018-06-01"),
    ("social-housing-stock", "{P} council housing stock",
     "Council-owned homes in {P} by ward, property type, number of bedrooms and energy performance band.",
     "SOCI REGI", "social housing;council homes;housing stock;EPC", "Housing", "CSV XLSX", "ANNUAL", "2016-04-01"),
    ("homelessness-assessments", "{P} homelessness assessments and outcomes",
     "Quarterly counts of households assessed as homeless or threatened with homelessness in {P}, the reason, and the duty owed, with households in temporary accommodation.",
     "SOCI", "homelessness;temporary accommodation;housing;prevention", "Housing", "CSV", "QUARTERLY", "2019-07-01"),
    ("libraries-and-opening-hours", "{P} libraries: locations, opening hours and services",
     "Public libraries in {P} with address, opening hours, public computers, Wi-Fi, accessible facilities and events.",
     "EDUC SOCI", "libraries;opening hours;community;digital inclusion", "Culture and Libraries", "CSV JSON", "QUARTERLY", "2017-03-01"),
    ("parks-and-green-spaces", "{P} parks and green spaces",
     "Boundaries and facilities of parks, playgrounds, allotments and nature reserves in {P}.",
     "ENVI REGI", "parks;green space;playgrounds;allotments", "Parks and Countryside", "GEOJSON SHP", "ANNUAL", "2016-08-01"),
    ("tree-inventory", "{P} street and park trees",
     "Council-managed trees in {P}: species, height, girth, condition and location.",
     "ENVI", "trees;urban forest;canopy;biodiversity", "Parks and Countryside", "CSV GEOJSON", "ANNUAL", "2020-06-01"),
    ("public-toilets", "{P} public toilets",
     "Public toilets in {P} with opening hours, charges, accessible and baby-changing facilities, following the national public toilets data schema.",
     "SOCI HEAL", "toilets;accessibility;changing places", "Facilities Management", "CSV", "QUARTERLY", "2018-09-01"),
    ("council-spending-over-500", "{P} City Council spending over £500",
     "Every payment to suppliers over £500 by {P} City Council, with supplier, amount, date, service area and expense type, as required by the Local Government Transparency Code.",
     "GOVE ECON", "spending;transparency;payments;suppliers", "Finance", "CSV", "MONTHLY", "2011-01-31"),
    ("contracts-register", "{P} City Council contracts register",
     "Contracts and framework agreements over £5,000 let by {P} City Council, with supplier, value, start and end date, and procurement route.",
     "GOVE ECON", "contracts;procurement;transparency", "Procurement", "CSV", "QUARTERLY", "2014-10-01"),
    ("council-tax-bands", "{P} council tax bands and charges",
     "Council tax charge per band for each parish and area of {P}, including the adult social care precept.",
     "GOVE ECON", "council tax;finance;charges", "Finance", "CSV", "ANNUAL", "2015-03-01"),
    ("business-rates", "{P} business rates accounts",
     "Non-domestic rating accounts in {P}: property reference, rateable value, reliefs and occupation status (no personal data).",
     "ECON GOVE", "business rates;non-domestic rates;economy", "Revenues and Benefits", "CSV", "QUARTERLY", "2016-01-01"),
    ("adult-social-care-clients", "{P} adult social care: people receiving long-term support",
     "Counts of people receiving long-term adult social care support in {P} by age band, primary support reason and setting (community, residential, nursing).",
     "HEAL SOCI", "adult social care;care homes;home care;support", "Adult Social Care", "CSV", "QUARTERLY", "2018-04-01"),
    ("care-home-vacancies", "{P} care home beds and vacancies",
     "Registered care homes in {P} with bed capacity, specialisms and weekly reported vacancies.",
     "HEAL SOCI", "care homes;vacancies;adult social care;beds", "Adult Social Care", "CSV JSON", "WEEKLY", "2020-04-20"),
    ("free-school-meals", "{P} pupils eligible for free school meals",
     "Number and share of pupils eligible for free school meals by school and ward in {P}, from the January school census.",
     "EDUC SOCI", "free school meals;school meals;child poverty;pupils", "Children's Services", "CSV", "ANNUAL", "2017-06-01"),
    ("children-centres", "{P} family hubs and children's centres",
     "Family hubs and children's centres in {P}: services offered, opening times, and the areas each one serves.",
     "SOCI EDUC", "family hubs;early years;children;parenting", "Children's Services", "CSV GEOJSON", "ANNUAL", "2019-09-01"),
    ("ward-boundaries", "{P} electoral ward boundaries",
     "Boundaries of the electoral wards of {P} since the last boundary review, with ward codes.",
     "GOVE REGI", "wards;boundaries;elections;geography", "Democratic Services", "GEOJSON SHP KML", "IRREG", "2016-05-05"),
    ("election-results", "{P} local election results",
     "Votes cast per candidate and party in each ward at {P} City Council elections, with turnout and spoilt ballots.",
     "GOVE", "elections;results;turnout;democracy", "Democratic Services", "CSV", "ANNUAL", "2012-05-04"),
    ("councillors-and-committees", "{P} councillors, committees and meeting decisions",
     "Current councillors with ward and party, committee membership, and decisions recorded at council meetings.",
     "GOVE", "councillors;committees;decisions;democracy", "Democratic Services", "JSON CSV", "WEEKLY", "2015-09-01"),
    ("foi-requests", "{P} freedom of information requests",
     "Freedom of information and environmental information requests received by {P} City Council with subject, department, outcome and response time.",
     "GOVE", "freedom of information;FOI;transparency", "Information Governance", "CSV", "QUARTERLY", "2016-07-01"),
    ("flood-incidents", "{P} reported flooding incidents",
     "Internal and external property flooding and highway flooding reported in {P}, with source of flooding and date.",
     "ENVI TRAN", "flooding;drainage;flood risk;incidents", "Flood Risk Management", "CSV GEOJSON", "MONTHLY", "2016-12-01"),
    ("noise-complaints", "{P} noise complaints",
     "Noise nuisance complaints received by {P} City Council by type (domestic, commercial, construction), ward, month and outcome.",
     "ENVI HEAL", "noise;nuisance;complaints;environmental health", "Environmental Health", "CSV", "MONTHLY", "2017-02-01"),
    ("energy-use-council-buildings", "{P} council buildings: energy use and emissions",
     "Annual electricity and gas use and carbon emissions of buildings operated by {P} City Council, with display energy certificate ratings.",
     "ENER ENVI", "energy;carbon emissions;buildings;net zero", "Sustainability", "CSV", "ANNUAL", "2014-09-01"),
    ("cycle-hire-docks", "{P} cycle hire docking stations (live)",
     "Docking stations of the {P} cycle hire scheme with live counts of bikes and free docks.",
     "TRAN", "cycle hire;bikes;active travel;real-time", "Highways and Transport", "JSON", "UPDATE_CONT", "2021-06-01"),
    ("population-estimates-by-ward", "{P} population estimates by ward",
     "Mid-year population estimates for the wards of {P} by single year of age and sex, from the national statistics office.",
     "SOCI REGI", "population;demographics;wards;census", "Policy and Insight", "CSV XLSX", "ANNUAL", "2013-08-01"),
    ("deprivation-indices", "{P} indices of deprivation by neighbourhood",
     "Indices of multiple deprivation ranks and domain scores (income, employment, health, education, housing, crime, living environment) for each small area in {P}.",
     "SOCI ECON", "deprivation;IMD;poverty;neighbourhoods", "Policy and Insight", "CSV XLSX", "IRREG", "2019-09-26"),
]

NORTHMOOR_ONLY = [
    ("tram-stop-patronage", "Northmoor tram stops: boardings and alightings",
     "Average weekday boardings and alightings at each stop of the Northmoor tram network by time band, from ticket and passenger counter data.",
     "TRAN", "tram;public transport;patronage;ridership", "Highways and Transport", "CSV", "ANNUAL", "2019-11-01"),
    ("clean-air-zone-compliance", "Northmoor clean air zone: vehicle compliance",
     "Share of vehicles entering the Northmoor clean air zone that meet its emission standards, by vehicle class and month, from camera data.",
     "ENVI TRAN HEAL", "clean air zone;air quality;emissions;vehicles", "Environmental Health", "CSV", "MONTHLY", "2022-06-01"),
]

SOUTHVALE_ONLY = [
    ("harbour-water-quality", "Southvale harbour bathing water quality",
     "E. coli and intestinal enterococci samples at the Southvale harbour bathing sites during the bathing season, with the resulting classification.",
     "ENVI HEAL", "water quality;bathing water;harbour;sampling", "Environmental Health", "CSV", "WEEKLY", "2018-05-15"),
    ("market-stall-licences", "Southvale street trading and market licences",
     "Street trading consents and market stall licences issued by Southvale City Council with trading location, goods and licence period.",
     "ECON", "street trading;markets;licences;economy", "Licensing", "CSV", "MONTHLY", "2017-04-01"),
]

WESTSHIRE = [
    ("gritting-routes", "Westshire winter gritting routes",
     "Priority roads that Westshire County Council treats with salt in winter, with route priority and depot.",
     "TRAN", "gritting;winter maintenance;roads;salt", "Highways", "GEOJSON KML", "ANNUAL", "2016-10-01"),
    ("road-works-permits", "Westshire road works and permits",
     "Planned and live road works on county roads under the Westshire permit scheme, with location, dates, promoter and traffic management.",
     "TRAN", "roadworks;permits;street works;traffic", "Highways", "JSON CSV", "DAILY", "2018-04-01"),
    ("rights-of-way", "Westshire public rights of way",
     "The definitive map of public footpaths, bridleways and byways in Westshire with path numbers and status.",
     "ENVI TRAN", "footpaths;bridleways;rights of way;countryside", "Countryside Access", "GEOJSON SHP", "ANNUAL", "2015-05-01"),
    ("household-waste-recycling-centres", "Westshire household waste recycling centres",
     "Household waste recycling centres run by Westshire County Council: location, opening times, materials accepted and booking rules.",
     "ENVI", "recycling centres;tips;waste disposal", "Waste Disposal", "CSV JSON", "QUARTERLY", "2017-01-01"),
    ("waste-disposal-tonnages", "Westshire municipal waste disposal by route",
     "Tonnages of municipal waste handled by Westshire as waste disposal authority, by treatment route (recycling, composting, energy recovery, landfill) and collecting authority.",
     "ENVI", "waste disposal;landfill;energy from waste;recycling", "Waste Disposal", "CSV XLSX", "QUARTERLY", "2014-06-01"),
    ("home-to-school-transport", "Westshire home to school transport routes",
     "Contracted home to school transport routes with vehicle type, number of eligible pupils and schools served (no personal data).",
     "EDUC TRAN", "school transport;buses;pupils;eligibility", "Children's Services", "CSV", "ANNUAL", "2019-09-01"),
    ("special-educational-needs", "Westshire education, health and care plans",
     "Number of children and young people with education, health and care plans in Westshire, by age, primary need and placement type, and the share issued within 20 weeks.",
     "EDUC HEAL", "SEND;EHCP;special educational needs;children", "Children's Services", "CSV", "ANNUAL", "2018-06-01"),
    ("looked-after-children", "Westshire children looked after",
     "Children looked after by Westshire County Council at 31 March: numbers by age, legal status and placement type, with placement stability measures.",
     "SOCI", "children in care;looked after children;fostering", "Children's Social Care", "CSV", "ANNUAL", "2016-10-01"),
    ("public-health-outcomes", "Westshire public health outcomes by district",
     "Indicators from the public health outcomes framework for Westshire and its districts: life expectancy, smoking, obesity, physical activity and more.",
     "HEAL", "public health;life expectancy;obesity;smoking", "Public Health", "CSV XLSX", "ANNUAL", "2016-02-01"),
    ("childhood-obesity", "Westshire childhood obesity (national child measurement programme)",
     "Prevalence of overweight and obesity in Reception and Year 6 pupils by school cluster and district, from the national child measurement programme.",
     "HEAL EDUC", "childhood obesity;NCMP;children;public health", "Public Health", "CSV", "ANNUAL", "2017-11-01"),
    ("sexual-health-clinics", "Westshire sexual health services",
     "Sexual health clinics and pharmacies offering contraception and testing in Westshire, with opening times and walk-in availability.",
     "HEAL", "sexual health;clinics;contraception;services", "Public Health", "CSV JSON", "QUARTERLY", "2019-03-01"),
    ("stop-smoking-services", "Westshire stop smoking service quits",
     "People setting a quit date with the Westshire stop smoking service and four-week quit rates, by district and deprivation quintile.",
     "HEAL", "smoking;stop smoking;public health", "Public Health", "CSV", "QUARTERLY", "2017-07-01"),
    ("library-loans", "Westshire library loans and visits",
     "Monthly issues, renewals, e-book loans and visits for every Westshire library.",
     "EDUC SOCI", "libraries;loans;e-books;visits", "Libraries", "CSV", "MONTHLY", "2016-04-01"),
    ("flood-risk-areas", "Westshire surface water flood risk areas",
     "Areas at risk of surface water flooding identified in the Westshire local flood risk management strategy, with properties at risk.",
     "ENVI REGI", "flood risk;surface water;drainage;climate adaptation", "Flood Risk Management", "GEOJSON SHP", "IRREG", "2016-03-01"),
    ("bus-service-punctuality", "Westshire supported bus services: punctuality",
     "Punctuality and patronage of bus services subsidised by Westshire County Council, by route and quarter.",
     "TRAN", "bus;punctuality;subsidised services;rural transport", "Passenger Transport", "CSV", "QUARTERLY", "2018-01-01"),
    ("concessionary-travel", "Westshire concessionary bus pass journeys",
     "Journeys made with older and disabled person's bus passes in Westshire by month and operator.",
     "TRAN SOCI", "bus pass;concessionary travel;older people;disabled people", "Passenger Transport", "CSV", "MONTHLY", "2015-04-01"),
    ("adult-learning-courses", "Westshire adult learning courses",
     "Community adult learning courses in Westshire with venue, subject, level, dates and fees.",
     "EDUC", "adult learning;courses;skills;community education", "Adult Learning", "CSV JSON", "MONTHLY", "2019-08-01"),
    ("minerals-and-waste-sites", "Westshire minerals and waste sites",
     "Permitted quarries and waste management sites in Westshire with operator, mineral or waste type, and permission end date.",
     "ENVI ECON", "minerals;quarries;waste sites;planning", "Minerals and Waste Planning", "GEOJSON CSV", "ANNUAL", "2017-05-01"),
    ("county-farms", "Westshire county farms estate",
     "Farms let by Westshire County Council: holding size, tenancy type and land use.",
     "AGRI", "county farms;agriculture;tenancies;land", "Property", "CSV", "ANNUAL", "2018-02-01"),
    ("broadband-coverage", "Westshire superfast broadband coverage by parish",
     "Share of premises with superfast and gigabit-capable broadband in each Westshire parish, from the county broadband programme.",
     "TECH ECON", "broadband;digital connectivity;rural;gigabit", "Economic Development", "CSV", "QUARTERLY", "2016-09-01"),
    ("business-survival-rates", "Westshire business births, deaths and survival",
     "Business births and closures and one, three and five-year survival rates by district, from national business demography statistics.",
     "ECON", "business demography;enterprises;economy;start-ups", "Economic Development", "CSV XLSX", "ANNUAL", "2015-12-01"),
    ("carers-support", "Westshire unpaid carers: assessments and support",
     "Carers' assessments completed and support provided to unpaid carers in Westshire, by district and quarter.",
     "HEAL SOCI", "carers;adult social care;support;assessments", "Adult Social Care", "CSV", "QUARTERLY", "2019-01-01"),
    ("delayed-transfers-of-care", "Westshire hospital discharges awaiting care",
     "Daily counts of patients medically fit for discharge from Westshire hospitals who are waiting for social care, by reason for delay.",
     "HEAL SOCI", "hospital discharge;delayed transfers;social care;NHS", "Adult Social Care", "CSV", "DAILY", "2021-01-04"),
    ("domestic-abuse-services", "Westshire domestic abuse support services",
     "Refuges, outreach and helpline services for people affected by domestic abuse in Westshire, with referral routes (refuge addresses are withheld).",
     "SOCI JUST", "domestic abuse;support services;refuges;safeguarding", "Community Safety", "CSV JSON", "QUARTERLY", "2020-05-01"),
    ("trading-standards-complaints", "Westshire trading standards complaints",
     "Consumer complaints referred to Westshire trading standards by category (doorstep crime, scams, product safety, underage sales) and district.",
     "JUST ECON", "trading standards;scams;consumer protection;doorstep crime", "Trading Standards", "CSV", "QUARTERLY", "2017-10-01"),
    ("fire-incidents", "Westshire fire and rescue incidents",
     "Incidents attended by Westshire Fire and Rescue Service by type (fire, special service, false alarm), district, month and response time.",
     "JUST HEAL", "fire;rescue;incidents;response times", "Fire and Rescue Service", "CSV", "MONTHLY", "2014-04-01"),
    ("home-fire-safety-visits", "Westshire home fire safety visits",
     "Safe and well visits carried out by Westshire Fire and Rescue Service by district and referral source, targeted at households at higher risk.",
     "JUST HEAL SOCI", "fire safety;home visits;prevention;older people", "Fire and Rescue Service", "CSV", "QUARTERLY", "2018-07-01"),
    ("local-plan-housing-trajectory", "Westshire housing delivery and trajectory",
     "Net additional homes completed per district and year, and the projected trajectory against the housing requirement.",
     "REGI", "housing delivery;local plan;new homes;trajectory", "Strategic Planning", "CSV XLSX", "ANNUAL", "2016-12-01"),
    ("heritage-assets", "Westshire historic environment record",
     "Listed buildings, scheduled monuments, conservation areas and non-designated heritage assets in Westshire.",
     "EDUC REGI", "heritage;listed buildings;archaeology;conservation", "Historic Environment", "GEOJSON CSV", "ANNUAL", "2015-07-01"),
    ("countryside-visitor-counts", "Westshire country parks: visitor counts",
     "Visitor counts from people counters at Westshire country parks and trails, by site and month.",
     "ENVI SOCI", "country parks;visitors;tourism;outdoors", "Countryside Access", "CSV", "MONTHLY", "2019-04-01"),
    ("ash-dieback-survey", "Westshire ash dieback survey of roadside trees",
     "Condition of ash trees along county roads surveyed for ash dieback, with felling priority.",
     "ENVI AGRI", "ash dieback;trees;tree disease;road safety", "Highways", "CSV GEOJSON", "ANNUAL", "2021-08-01"),
    ("electric-vehicle-strategy-sites", "Westshire rural electric vehicle charging sites",
     "Sites proposed and installed under the Westshire rural charging programme, in village halls, car parks and community buildings.",
     "TRAN ENER", "electric vehicles;charging;rural;net zero", "Sustainability", "CSV GEOJSON", "QUARTERLY", "2022-03-01"),
    ("air-quality-county-summary", "Westshire air quality: annual summary by district",
     "Annual mean nitrogen dioxide and particulate concentrations reported by each Westshire district in its air quality status report, with air quality management areas.",
     "ENVI HEAL", "air quality;nitrogen dioxide;particulates;AQMA", "Public Health", "CSV", "ANNUAL", "2018-07-01"),
    ("community-transport", "Westshire community transport schemes",
     "Volunteer car schemes, dial-a-ride and community minibuses operating in Westshire, with areas served and booking details.",
     "TRAN SOCI", "community transport;dial-a-ride;rural;accessibility", "Passenger Transport", "CSV JSON", "QUARTERLY", "2019-06-01"),
    ("spending-over-500", "Westshire County Council spending over £500",
     "Every payment to suppliers over £500 by Westshire County Council with supplier, amount, date and service, under the Local Government Transparency Code.",
     "GOVE ECON", "spending;transparency;payments;suppliers", "Finance", "CSV", "MONTHLY", "2011-01-31"),
]

# City datasets that the county hub republishes under its own IRIs.
REPUBLISHED = {
    "Northmoor": ["air-quality-no2-diffusion-tubes", "road-traffic-collisions", "planning-applications", "food-hygiene-inspections"],
    "Southvale": ["air-quality-no2-diffusion-tubes", "bus-stops", "licensed-hmos", "food-hygiene-inspections"],
}

def esc(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')

def dataset(base, cat_slug, publisher, place, row, extra=""):
    slug, title, desc, themes, keywords, dept, formats, freq, issued = row
    title, desc = title.replace("{P}", place), desc.replace("{P}", place)
    iri = f"<{base}dataset/{slug}>"
    lines = [f"{iri} a dcat:Dataset ;",
             f'    dct:identifier "{cat_slug}:{slug}" ;',
             f'    dct:title "{esc(title)}"@en ;',
             f'    dct:description "{esc(desc)}"@en ;']
    lines.append("    dcat:keyword " + " , ".join(f'"{esc(k)}"@en' for k in keywords.split(";")) + " ;")
    lines.append("    dcat:theme " + " , ".join(f"<{THEME}{t}>" for t in themes.split()) + " ;")
    lines += [f"    dct:publisher {publisher} ;",
              f"    dcat:contactPoint [ a vcard:Organization ; vcard:fn \"{esc(dept)}, {place}\" ; vcard:hasEmail <mailto:opendata@{cat_slug}.example.gov.uk> ] ;",
              f'    dct:issued "{issued}"^^xsd:date ;',
              f'    dct:modified "2026-{(len(slug) % 9) + 1:02d}-{(len(title) % 27) + 1:02d}"^^xsd:date ;',
              f"    dct:accrualPeriodicity <{FREQ}{freq}> ;",
              f"    dct:spatial <{base}place/{cat_slug}> ;",
              f"    dct:language <http://publications.europa.eu/resource/authority/language/ENG> ;",
              f"    dcat:landingPage <https://data.{cat_slug}.example.gov.uk/dataset/{slug}> ;"]
    if extra:
        lines.append(extra)
    dists = []
    for i, fmt in enumerate(formats.split()):
        d = f"<{base}dataset/{slug}/distribution/{fmt.lower()}>"
        dists.append(d)
    lines.append("    dcat:distribution " + " , ".join(dists) + " .")
    out = "\n".join(lines) + "\n"
    for fmt, d in zip(formats.split(), dists):
        ext = fmt.lower() if fmt != "SHP" else "zip"
        url = f"https://data.{cat_slug}.example.gov.uk/download/{slug}.{ext}"
        out += (f"{d} a dcat:Distribution ;\n"
                f'    dct:title "{esc(title)} ({fmt})"@en ;\n'
                f"    dcat:accessURL <https://data.{cat_slug}.example.gov.uk/dataset/{slug}> ;\n"
                f"    dcat:downloadURL <{url}> ;\n"
                f"    dct:format <{FTYPE}{fmt}> ;\n"
                f'    dcat:mediaType <http://www.iana.org/assignments/media-types/{MEDIA[fmt]}> ;\n'
                f"    dct:license <{OGL}> .\n")
    return iri, out

PREFIXES = """@prefix dcat:  <http://www.w3.org/ns/dcat#> .
@prefix dct:   <http://purl.org/dc/terms/> .
@prefix foaf:  <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix skos:  <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:   <http://www.w3.org/2001/XMLSchema#> .
@prefix adms:  <http://www.w3.org/ns/adms#> .
"""

def catalogue(place, kind, rows, republish=None):
    slug = place.lower()
    base = f"https://data.{slug}.example.gov.uk/id/"
    council = f"{place} {'City' if kind == 'city' else 'County'} Council"
    publisher = f"<{base}org/council>"
    body = []
    iris = []
    for row in rows:
        iri, text = dataset(base, slug, publisher, place, row)
        iris.append(iri)
        body.append(text)
    for city, slugs in (republish or {}).items():
        for row in CITY:
            if row[0] in slugs:
                cslug = city.lower()
                extra = (f"    dct:source <https://data.{cslug}.example.gov.uk/id/dataset/{row[0]}> ;\n"
                         f'    adms:identifier [ a adms:Identifier ; skos:notation "{cslug}:{row[0]}" ] ;')
                new = (f"{cslug}-{row[0]}",) + row[1:]
                # A hub keeps the original publisher of what it republishes.
                city_publisher = f"<https://data.{cslug}.example.gov.uk/id/org/council>"
                iri, text = dataset(base, slug, city_publisher, city, new, extra)
                # Republished records keep the city's landing page and identifier.
                text = text.replace(f"https://data.{slug}.example.gov.uk/dataset/{cslug}-{row[0]}>",
                                    f"https://data.{cslug}.example.gov.uk/dataset/{row[0]}>", 1)
                text = text.replace(f'dct:identifier "{slug}:{cslug}-{row[0]}"', f'dct:identifier "{cslug}:{row[0]}"')
                text = text.replace(f"dct:title \"{esc(row[1].replace('{P}', city))}\"@en",
                                    f"dct:title \"{esc(row[1].replace('{P}', city))} (via {place} Data Hub)\"@en")
                iris.append(iri)
                body.append(text)
    head = f"""{PREFIXES}
# Demo catalogue: {council} (fictional). Generated by datasets/demo/generate_catalogues.py.

<{base}catalog> a dcat:Catalog ;
    dct:title "{place} Open Data"@en ;
    dct:description "Open data published by {council}: {'services, transport, environment, housing and council transparency data for the city' if kind == 'city' else 'county services, public health, highways and a hub republishing data from the districts and cities of ' + place}."@en ;
    dct:publisher {publisher} ;
    dct:spatial <{base}place/{slug}> ;
    dct:language <http://publications.europa.eu/resource/authority/language/ENG> ;
    dct:license <{OGL}> ;
    foaf:homepage <https://data.{slug}.example.gov.uk/> ;
    dct:issued "2014-03-01"^^xsd:date ;
    dct:modified "2026-11-01"^^xsd:date ;
    dcat:dataset {(' , ').join(iris)} .

{publisher} a foaf:Agent , foaf:Organization ;
    foaf:name "{council}"@en ;
    dct:type <http://purl.org/adms/publishertype/LocalAuthority> ;
    foaf:homepage <https://www.{slug}.example.gov.uk/> .

<{base}place/{slug}> a dct:Location ;
    skos:prefLabel "{place}"@en .

"""
    for city in (republish or {}):
        head += (f"<https://data.{city.lower()}.example.gov.uk/id/org/council> a foaf:Agent , foaf:Organization ;\n"
                 f'    foaf:name "{city} City Council"@en ;\n'
                 f"    dct:type <http://purl.org/adms/publishertype/LocalAuthority> .\n\n")
    (OUT / f"{slug}.ttl").write_text(head + "\n".join(body), encoding="utf-8")
    print(f"{slug}.ttl: {len(iris)} datasets")

catalogue("Northmoor", "city", CITY + NORTHMOOR_ONLY)
catalogue("Southvale", "city", CITY[:38] + SOUTHVALE_ONLY)
catalogue("Westshire", "county", WESTSHIRE, REPUBLISHED)
