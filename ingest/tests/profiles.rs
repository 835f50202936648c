//! A source's validation profile: its records are checked against the shapes it names
//! (a bundled profile or a file), and a profile that does not exist is a configuration
//! error before anything is read.

use civicgraph_graph::{Graph, Layout};
use civicgraph_ingest::provenance::RunStatus;
use civicgraph_ingest::{HarvestSettings, SourceConfig, SourceKind, harvest};
use civicgraph_tests::demo::repo;
use civicgraph_tests::sources::file_source;
use std::sync::Arc;

async fn harvest_with(profile: Option<&str>) -> harvest::HarvestOutcome {
    try_harvest_with(profile).await.unwrap()
}

async fn try_harvest_with(profile: Option<&str>) -> civicgraph_ingest::Result<harvest::HarvestOutcome> {
    let graph = Arc::new(Graph::in_memory(Layout::default()).unwrap());
    let source = SourceConfig {
        profile: profile.map(str::to_owned),
        ..file_source(
            "norway",
            SourceKind::Dcat,
            &repo("../shared/data/dcat-ap-no/examples/test2.ttl"),
        )
    };
    harvest(
        graph,
        source,
        HarvestSettings::default(),
        civicgraph_tests::sources::quiet(),
    )
    .await
}

#[tokio::test]
async fn a_source_is_validated_against_the_profile_it_names() {
    if !repo("../shared/data/dcat-ap-no").exists() {
        eprintln!("../shared/data is absent; skipped");
        return;
    }
    let default = harvest_with(None).await;
    let norway = harvest_with(Some("dcat-ap-no")).await;
    assert_eq!(norway.status, RunStatus::Succeeded, "{:?}", norway.message);
    // DCAT-AP-NO's own rules, with its own (Norwegian) messages.
    assert!(
        norway
            .report
            .violations
            .iter()
            .any(|v| v.message.contains("skal")),
        "{:#?}",
        norway.report.violations
    );
    assert!(
        !default
            .report
            .violations
            .iter()
            .any(|v| v.message.contains("skal"))
    );

    // The same shapes given as a file.
    let file = repo("ingest/shapes/dcat-ap-no/DCAT-AP-NO-shacl_shapes_2.00.ttl");
    let from_file = harvest_with(Some(file.to_str().unwrap())).await;
    // Blank shapes get fresh labels each time the shapes are read: compare the findings.
    let findings = |outcome: &harvest::HarvestOutcome| -> Vec<(String, Option<String>, String, String)> {
        outcome
            .report
            .violations
            .iter()
            .map(|v| {
                (
                    v.focus.clone(),
                    v.path.clone(),
                    v.component.clone(),
                    v.message.clone(),
                )
            })
            .collect()
    };
    assert_eq!(findings(&from_file), findings(&norway));

    // A profile that does not exist is a configuration error: nothing is read or recorded.
    let message = try_harvest_with(Some("dcat-ap-xx"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("norway") && message.contains("dcat-ap-xx") && message.contains("dcat-ap-no"),
        "{message}"
    );
}
