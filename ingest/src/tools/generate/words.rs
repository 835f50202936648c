//! The material generated catalogues are made of: dataset topics as public bodies publish
//! them (with their DCAT theme, keywords, formats and what the data is used for), place-name
//! parts, departments and the words that make each record's description its own.

/// A kind of dataset a public body publishes.
#[derive(Debug, Clone, Copy)]
pub struct Topic {
    /// The title's subject ("bus stop locations").
    pub subject: &'static str,
    /// The EU data theme code.
    pub theme: &'static str,
    /// Keywords besides the subject.
    pub keywords: &'static [&'static str],
    /// The publishing department (an index into [`DEPARTMENTS`]).
    pub department: usize,
    /// What the data is, for the description.
    pub what: &'static str,
    /// What it is used for: one sentence per ODI pattern it serves (access, planning, policy).
    pub uses: &'static [&'static str],
}

/// Departments of a regional authority or a town council.
pub const DEPARTMENTS: &[&str] = &[
    "Transport",
    "Environment",
    "Housing",
    "Education",
    "Health and Social Care",
    "Finance",
    "Planning",
    "Community Services",
];

const fn t(
    subject: &'static str,
    theme: &'static str,
    keywords: &'static [&'static str],
    department: usize,
    what: &'static str,
    uses: &'static [&'static str],
) -> Topic {
    Topic {
        subject,
        theme,
        keywords,
        department,
        what,
        uses,
    }
}

/// Dataset topics; each use sentence carries the cue words of its pattern.
pub const TOPICS: &[Topic] = &[
    t(
        "bus stop locations",
        "TRAN",
        &["bus", "public transport", "stops"],
        0,
        "the position, name and served routes of every bus stop",
        &[
            "Journey planning apps use it so residents can find the nearest stop and plan trips.",
            "Operators use it to plan routes and schedule services efficiently.",
        ],
    ),
    t(
        "bus service punctuality",
        "TRAN",
        &["bus", "punctuality", "performance"],
        0,
        "the share of bus departures that left on time, by route and hour",
        &[
            "It informs the transport strategy and the policy on bus service contracts.",
            "Planners use it to target resources at the least reliable routes.",
        ],
    ),
    t(
        "road traffic collisions",
        "TRAN",
        &["road safety", "collisions", "casualties"],
        0,
        "reported road traffic collisions with their severity, vehicles and location",
        &[
            "The road safety team uses it to prioritise and plan engineering schemes.",
            "It is the evidence base for the road safety policy and speed limit reviews.",
        ],
    ),
    t(
        "traffic counts",
        "TRAN",
        &["traffic", "vehicle counts", "congestion"],
        0,
        "automatic and manual counts of vehicles, cycles and pedestrians",
        &[
            "Engineers use it to plan maintenance and manage congestion.",
            "It informs the local transport plan and air quality policy.",
        ],
    ),
    t(
        "car park occupancy",
        "TRAN",
        &["parking", "car parks", "real-time"],
        0,
        "live and historical occupancy of council car parks",
        &[
            "Drivers find a free space through apps and signs built on this feed.",
            "Used to plan parking charges and capacity.",
        ],
    ),
    t(
        "electric vehicle charge points",
        "TRAN",
        &["electric vehicles", "charging", "EV"],
        0,
        "public charge points with connector types, power and availability",
        &[
            "Drivers use it to find a charge point that fits their vehicle.",
            "It guides where the council plans new charge points.",
        ],
    ),
    t(
        "road works",
        "TRAN",
        &["road works", "street works", "closures"],
        0,
        "planned and emergency works on the highway with their dates and diversions",
        &[
            "Residents and hauliers check it to avoid delays on their journeys.",
            "Highway teams use it to coordinate works and reduce disruption.",
        ],
    ),
    t(
        "cycle counts",
        "TRAN",
        &["cycling", "active travel", "counts"],
        0,
        "counts of cycles from automatic counters on cycle routes",
        &[
            "It informs the active travel strategy and funding bids.",
            "Used to plan and evaluate new cycle lanes.",
        ],
    ),
    t(
        "air quality monitoring",
        "ENVI",
        &["air quality", "nitrogen dioxide", "pollution"],
        1,
        "measured concentrations of nitrogen dioxide and particulates at monitoring sites",
        &[
            "It is the evidence for the air quality action plan and the clean air zone policy.",
            "Residents with asthma check daily readings to plan their time outdoors.",
        ],
    ),
    t(
        "household waste recycling rates",
        "ENVI",
        &["recycling", "waste", "landfill"],
        1,
        "tonnages of household waste collected, recycled, composted and sent to landfill",
        &[
            "It informs the waste strategy and national recycling targets.",
            "Crews use it to plan collection rounds and vehicle capacity.",
        ],
    ),
    t(
        "bin collection days",
        "ENVI",
        &["bins", "waste collection", "recycling"],
        1,
        "the collection day and round for every street and property",
        &[
            "Residents look up their collection day through the council's website and apps.",
            "Used to plan collection rounds efficiently.",
        ],
    ),
    t(
        "flood incidents",
        "ENVI",
        &["flooding", "drainage", "climate"],
        1,
        "reported flooding of properties and roads with the cause and response",
        &[
            "It informs the local flood risk management strategy.",
            "Drainage teams use it to plan gully cleaning and capital schemes.",
        ],
    ),
    t(
        "tree inventory",
        "ENVI",
        &["trees", "green infrastructure", "urban forest"],
        1,
        "council-owned trees with their species, size, condition and inspection date",
        &[
            "Arboricultural teams use it to schedule inspections and maintenance.",
            "It informs the tree canopy policy and planting targets.",
        ],
    ),
    t(
        "fly-tipping incidents",
        "ENVI",
        &["fly-tipping", "enforcement", "street cleansing"],
        1,
        "reports of illegally dumped waste with their location and clearance time",
        &[
            "Enforcement officers use it to target hotspots and deploy cameras.",
            "Residents report and track incidents through the council's online service.",
        ],
    ),
    t(
        "energy use in council buildings",
        "ENER",
        &["energy", "carbon", "buildings"],
        5,
        "electricity and gas consumption of council buildings by month",
        &[
            "It informs the climate emergency action plan and carbon budgets.",
            "Facilities teams use it to plan retrofit works.",
        ],
    ),
    t(
        "social housing stock",
        "SOCI",
        &["housing", "social housing", "tenancies"],
        2,
        "council and housing association homes with size, type and condition",
        &[
            "It informs the housing strategy and the allocations policy.",
            "Used to plan repairs and investment in the stock.",
        ],
    ),
    t(
        "housing waiting list",
        "SOCI",
        &["housing", "waiting list", "allocations"],
        2,
        "households on the housing register by band, need and bedroom size",
        &[
            "Applicants can see typical waiting times for homes in each area.",
            "It informs the allocations policy and new-build targets.",
        ],
    ),
    t(
        "homelessness assessments",
        "SOCI",
        &["homelessness", "temporary accommodation", "prevention"],
        2,
        "homelessness applications, duties owed and outcomes by quarter",
        &[
            "It informs the homelessness prevention strategy.",
            "Used to plan temporary accommodation and support services.",
        ],
    ),
    t(
        "licensed houses in multiple occupation",
        "SOCI",
        &["HMO", "licensing", "private rented"],
        2,
        "licensed houses in multiple occupation with their licence holder and conditions",
        &[
            "Tenants can check that a shared house is licensed before they rent it.",
            "It informs the policy on additional and selective licensing schemes.",
        ],
    ),
    t(
        "school admissions offers",
        "EDUC",
        &["schools", "admissions", "places"],
        3,
        "applications and offers of school places by school and preference",
        &[
            "Parents compare schools and their chances of an offer when they apply.",
            "Used to plan school places for future years.",
        ],
    ),
    t(
        "school locations",
        "EDUC",
        &["schools", "education", "locations"],
        3,
        "every school with its phase, capacity, age range and location",
        &[
            "Families find nearby schools and their contact details.",
            "Planners use it to forecast demand for places.",
        ],
    ),
    t(
        "free school meals eligibility",
        "EDUC",
        &["free school meals", "pupils", "deprivation"],
        3,
        "pupils eligible for and taking free school meals by school",
        &[
            "It informs the policy on child poverty and school funding.",
            "Used to target auto-enrolment so eligible families receive their entitlement.",
        ],
    ),
    t(
        "library loans",
        "EDUC",
        &["libraries", "loans", "books"],
        7,
        "items borrowed from each library by month and category",
        &[
            "Used to plan opening hours, stock and staffing efficiently.",
            "It informs the library strategy and reviews of the service.",
        ],
    ),
    t(
        "libraries and opening hours",
        "EDUC",
        &["libraries", "opening hours", "services"],
        7,
        "libraries with their address, opening hours, facilities and events",
        &[
            "Residents find a library and its services near them.",
            "Used to plan staffing across the network.",
        ],
    ),
    t(
        "adult social care clients",
        "HEAL",
        &["social care", "adults", "care packages"],
        4,
        "adults receiving social care services by service type and age band",
        &[
            "It informs the adult social care policy and market position statement.",
            "Commissioners use it to plan capacity and budgets.",
        ],
    ),
    t(
        "care home vacancies",
        "HEAL",
        &["care homes", "vacancies", "social care"],
        4,
        "vacant beds in registered care homes, updated daily",
        &[
            "Families and hospital discharge teams find a care home place quickly.",
            "Commissioners use it to plan capacity across the market.",
        ],
    ),
    t(
        "food hygiene inspections",
        "HEAL",
        &["food hygiene", "inspections", "ratings"],
        4,
        "hygiene ratings of food businesses from their latest inspection",
        &[
            "Diners check the rating of a restaurant or takeaway before they eat.",
            "Officers use it to schedule inspections by risk.",
        ],
    ),
    t(
        "public health indicators",
        "HEAL",
        &["public health", "life expectancy", "obesity"],
        4,
        "indicators of health and its determinants by ward and year",
        &[
            "It is the evidence base for the joint strategic needs assessment and health policy.",
            "Used to target and plan prevention services.",
        ],
    ),
    t(
        "council spending over 500",
        "GOVE",
        &["spending", "transparency", "payments"],
        5,
        "every payment to suppliers over 500 with its supplier, amount and purpose",
        &[
            "It informs scrutiny of procurement and the spending policy.",
            "Finance teams use it to find duplicate payments and plan savings.",
        ],
    ),
    t(
        "contracts register",
        "GOVE",
        &["contracts", "procurement", "suppliers"],
        5,
        "contracts let by the council with their value, supplier and term",
        &[
            "Suppliers find upcoming opportunities to bid for council contracts.",
            "It informs the procurement strategy and social value policy.",
        ],
    ),
    t(
        "council tax bands",
        "GOVE",
        &["council tax", "valuation", "bands"],
        5,
        "properties by council tax band and the charge for each band",
        &[
            "Residents look up the band and charge for their home.",
            "It informs the council tax support policy.",
        ],
    ),
    t(
        "business rates",
        "ECON",
        &["business rates", "non-domestic rates", "reliefs"],
        5,
        "non-domestic properties with their rateable value and reliefs",
        &[
            "Businesses check their rateable value and apply for reliefs.",
            "It informs the policy on discretionary rate relief.",
        ],
    ),
    t(
        "planning applications",
        "GOVE",
        &["planning", "applications", "development"],
        6,
        "planning applications with their site, proposal, status and decision",
        &[
            "Residents find and comment on applications near them.",
            "Officers use it to plan workloads and meet decision deadlines.",
        ],
    ),
    t(
        "brownfield land register",
        "GOVE",
        &["brownfield", "land", "housing sites"],
        6,
        "previously developed sites suitable for housing with their capacity",
        &[
            "It informs the local plan and the housing land supply policy.",
            "Developers use it to plan and bring forward sites.",
        ],
    ),
    t(
        "population estimates",
        "SOCI",
        &["population", "census", "demography"],
        6,
        "estimated population by age, sex and ward",
        &[
            "It is the evidence base for planning policy and service forecasts.",
            "Used to plan school places, care and health services.",
        ],
    ),
    t(
        "indices of deprivation",
        "SOCI",
        &["deprivation", "poverty", "inequality"],
        6,
        "deprivation scores and ranks by small area and domain",
        &[
            "It informs the anti-poverty strategy and funding allocations.",
            "Used to target services at the most deprived neighbourhoods.",
        ],
    ),
    t(
        "parks and green spaces",
        "ENVI",
        &["parks", "green space", "play areas"],
        7,
        "parks, play areas and green spaces with their facilities and opening times",
        &[
            "Residents find parks, play areas and sports pitches near them.",
            "It informs the open space strategy and planning policy.",
        ],
    ),
    t(
        "public toilets",
        "HEAL",
        &["public toilets", "accessibility", "facilities"],
        7,
        "public toilets with their opening hours and accessible facilities",
        &[
            "Residents and visitors find an accessible toilet when they need one.",
            "Used to plan cleaning and maintenance rounds.",
        ],
    ),
    t(
        "noise complaints",
        "ENVI",
        &["noise", "nuisance", "complaints"],
        1,
        "complaints of noise nuisance with their source and outcome",
        &[
            "Officers use it to plan night-time patrols efficiently.",
            "It informs the licensing policy for late-night venues.",
        ],
    ),
    t(
        "street lighting",
        "ENER",
        &["street lighting", "LED", "energy"],
        0,
        "street lights with their lamp type, wattage and dimming profile",
        &[
            "Crews use it to plan maintenance and the LED replacement programme.",
            "Residents report faulty lights through the online service.",
        ],
    ),
    t(
        "election results",
        "GOVE",
        &["elections", "results", "turnout"],
        5,
        "votes cast for each candidate with turnout, by ward and election",
        &[
            "It informs boundary reviews and democratic engagement policy.",
            "Voters look up the results for their ward.",
        ],
    ),
    t(
        "freedom of information requests",
        "GOVE",
        &["FOI", "transparency", "requests"],
        5,
        "requests received under the Freedom of Information Act and their outcome",
        &[
            "It informs the publication scheme and transparency policy.",
            "Teams use it to plan the publication of frequently requested data.",
        ],
    ),
    t(
        "children's centres",
        "EDUC",
        &["children", "family support", "early years"],
        3,
        "children's centres and family hubs with their services and sessions",
        &[
            "Parents find sessions and support for young children near them.",
            "It informs the early help strategy.",
        ],
    ),
    t(
        "job vacancies",
        "ECON",
        &["jobs", "employment", "vacancies"],
        5,
        "vacancies advertised by the council and local employers",
        &[
            "Job seekers search vacancies near them by sector and hours.",
            "It informs the employment and skills strategy.",
        ],
    ),
];

/// The first and last parts of town and region names.
pub const PLACE_HEADS: &[&str] = &[
    "Ash", "Bar", "Black", "Brad", "Bright", "Broad", "Cale", "Castle", "Chester", "Clay", "Cold", "Crane",
    "Dun", "East", "Elm", "Fair", "Fern", "Glen", "Green", "Hal", "Hart", "High", "Holm", "King", "Lang",
    "Lea", "Long", "Maple", "Mark", "Mill", "Moor", "New", "North", "Oak", "Old", "Pen", "Red", "Ring",
    "Rose", "Rother", "Salt", "Sand", "Shep", "Silver", "South", "Stan", "Stone", "Strat", "Thorn", "Up",
    "Wake", "Wal", "West", "White", "Wick", "Wind", "Wood", "Wren",
];

/// See [`PLACE_HEADS`].
pub const PLACE_TAILS: &[&str] = &[
    "borough", "bridge", "brook", "bury", "by", "caster", "cliffe", "combe", "dale", "den", "field", "ford",
    "gate", "ham", "holt", "hurst", "ley", "mere", "minster", "mouth", "port", "shire", "stead", "stow",
    "thorpe", "ton", "vale", "well", "wick", "worth",
];

/// Street and site names that make each description specific.
pub const STREETS: &[&str] = &[
    "Station Road",
    "High Street",
    "Mill Lane",
    "Church Street",
    "Park Avenue",
    "Victoria Road",
    "Queen Street",
    "Market Place",
    "London Road",
    "Green Lane",
    "Manor Road",
    "School Lane",
    "North Street",
    "Bridge Street",
    "The Crescent",
    "Kings Road",
    "Albert Road",
    "Chapel Lane",
    "Springfield Road",
    "York Road",
    "Canal Walk",
    "Hill Road",
    "Orchard Way",
    "Riverside",
];

/// What a record covers, to tell a series' datasets apart.
pub const COVERAGE: &[&str] = &[
    "the town centre",
    "the northern wards",
    "the southern wards",
    "the eastern wards",
    "the western wards",
    "rural parishes",
    "the whole district",
    "the coastal strip",
    "the river corridor",
    "new estates",
];

/// Publication frequencies (the EU frequency authority codes) and how a description says them.
pub const FREQUENCIES: &[(&str, &str)] = &[
    ("DAILY", "daily"),
    ("WEEKLY", "weekly"),
    ("MONTHLY", "monthly"),
    ("QUARTERLY", "quarterly"),
    ("ANNUAL", "every year"),
];

/// Distribution formats: EU file-type code, file extension, IANA media type.
pub const FORMATS: &[(&str, &str, &str)] = &[
    ("CSV", "csv", "text/csv"),
    ("JSON", "json", "application/json"),
    ("GEOJSON", "geojson", "application/geo+json"),
    (
        "XLSX",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("PDF", "pdf", "application/pdf"),
    ("XML", "xml", "application/xml"),
];

/// Licences, as IRIs.
pub const LICENCES: &[&str] = &[
    "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
    "http://publications.europa.eu/resource/authority/licence/CC0",
    "http://publications.europa.eu/resource/authority/licence/OGL_3_0",
    "http://publications.europa.eu/resource/authority/licence/ODC_BY",
];
