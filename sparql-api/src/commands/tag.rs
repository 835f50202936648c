//! `civicgraph tag`, `tag --explain`, `train-tagger` and `eval-tagger`.

use super::{Context, print_out};
use anyhow::Context as _;
use civicgraph_ingest::enrich::tag::embedding::FoldEncoder;
use civicgraph_ingest::enrich::tag::features::Featurizer;
use civicgraph_ingest::enrich::tag::model::TrainOptions;
use civicgraph_ingest::enrich::tag::{Tagger, explain_document, explain_record, explain_text, tag_graph};
use civicgraph_ingest::fetch::file_base_iri;
use civicgraph_ingest::tools::dataset_eval::evaluate_datasets;
use civicgraph_ingest::tools::tag_eval::{
    FoldTunings, Folds, Outcome, cross_validate, held_out, learning_curve,
};
use civicgraph_ingest::tools::train::{Example, LabelledSet, train};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Instead of re-tagging, explain the tags of a record IRI, a file (case studies, CKAN
    /// JSON, data.json or RDF: mapped as a harvest maps it) or plain text.
    #[arg(long, value_name = "IRI|FILE|TEXT")]
    explain: Option<String>,
    /// With a file to explain: the address it was read from (a CKAN portal's, or the
    /// document's). Relative IRIs resolve against it, and a CKAN response's packages are
    /// named under it, as a harvest with `base` names them; without it they are named
    /// under `urn:civicgraph:unknown-portal`.
    #[arg(long, value_name = "URL", requires = "explain")]
    base: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// The labelled set: a directory with labels.tsv and cases.json.
    #[arg(long, default_value = "datasets/tagger")]
    labels: PathBuf,
    /// Where to write the model.
    #[arg(long, default_value = "ingest/tagger/model.json")]
    out: PathBuf,
    #[command(flatten)]
    options: OptionArgs,
}

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// The labelled set: a directory with labels.tsv and cases.json.
    #[arg(long, default_value = "datasets/tagger")]
    labels: PathBuf,
    /// The sentence encoder's tunings, one per cross-validation fold, each trained without
    /// that fold's cases (`fold-K.cga`, `fold-K.ids`): they fix the folds of the cases they
    /// left out; a case labelled since is dealt into the folds among such cases.
    #[arg(long, default_value = "ingest/tagger/folds", conflicts_with = "untuned")]
    fold_tunings: PathBuf,
    /// Cross-validate with the sentence encoder untuned, as the registry ships it, in every
    /// fold: for a number of folds no tunings were trained for, or to see what the tuning
    /// adds.
    #[arg(long)]
    untuned: bool,
    /// Number of folds.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Print JSON instead of Markdown.
    #[arg(long)]
    json: bool,
    /// Also train on a quarter, half and three quarters of the training split and score
    /// the test split each time.
    #[arg(long)]
    learning_curve: bool,
    /// Cross-validation on the training split only: what to look at while choosing options
    /// and thresholds, so that the test split stays unseen.
    #[arg(long, conflicts_with = "learning_curve")]
    cross_validation_only: bool,
    /// Also score each collection of the training split (`ips:`, `org:`…) by a model
    /// trained on the others: how the tagger reads a kind of text it never saw. Its sentences
    /// are read by the encoder untuned, because the bundled tuning saw every collection.
    #[arg(long)]
    collections_held_out: bool,
    /// Write every training case as the cross-validation scored it to this file (tab-
    /// separated: case, labels, tags, whether they agree, each pattern's score and
    /// confidence): the cases to read when looking for where the tagger goes wrong. Never
    /// the test split's.
    #[arg(long, value_name = "FILE")]
    cases: Option<PathBuf>,
    /// Instead, score the tags datasets used by no case study take from their own text,
    /// with the bundled model and this configuration's settings, against a directory's
    /// labelled catalogue entries (`sample.data.json` and `labels.tsv`).
    #[arg(
        long,
        value_name = "DIR",
        num_args = 0..=1,
        default_missing_value = "datasets/tagger/datasets",
        conflicts_with_all = ["learning_curve", "cross_validation_only", "collections_held_out", "cases"]
    )]
    datasets: Option<PathBuf>,
    #[command(flatten)]
    options: OptionArgs,
}

/// Training settings; the defaults are the bundled model's.
#[derive(Debug, clap::Args)]
pub struct OptionArgs {
    /// L2 penalty.
    #[arg(long)]
    l2: Option<f64>,
    /// Gradient-descent steps.
    #[arg(long)]
    iterations: Option<usize>,
    /// Cases a feature must occur in.
    #[arg(long)]
    min_cases: Option<usize>,
    /// Step size.
    #[arg(long)]
    learning_rate: Option<f64>,
}

impl OptionArgs {
    fn options(&self) -> TrainOptions {
        let default = TrainOptions::default();
        TrainOptions {
            l2: self.l2.unwrap_or(default.l2),
            iterations: self.iterations.unwrap_or(default.iterations),
            min_cases: self.min_cases.unwrap_or(default.min_cases),
            learning_rate: self.learning_rate.unwrap_or(default.learning_rate),
        }
    }
}

pub fn run(context: &Context, args: Args) -> anyhow::Result<()> {
    let settings = &context.config.tagging;
    let Some(target) = args.explain else {
        let graph = context.open_graph()?;
        let bar = ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} tagging: {pos} records ({per_sec})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        let summary = tag_graph(&graph, settings, &mut |done| bar.set_position(done as u64))?;
        bar.finish_and_clear();
        if args.json {
            println!("{}", serde_json::to_string_pretty(&summary)?);
        } else {
            eprintln!(
                "tagged {} records ({} curated, {} inferred, {} NONE): {} assignments added or changed, {} removed; model {}",
                summary.records,
                summary.curated,
                summary.inferred,
                summary.none,
                summary.added,
                summary.removed,
                summary.model
            );
        }
        return Ok(());
    };
    let tagger = Tagger::new(settings)?;
    let explanations = if Path::new(&target).is_file() {
        let bytes = std::fs::read(&target).with_context(|| format!("reading {target}"))?;
        let base = match args.base {
            Some(base) if base.starts_with("http://") || base.starts_with("https://") => base,
            Some(base) => anyhow::bail!("--base {base:?}: expected an http(s) address"),
            None => file_base_iri(Path::new(&target))?,
        };
        let explanations = explain_document(&tagger, &bytes, &target, Some(&base))?;
        if explanations.is_empty() {
            anyhow::bail!("{target}: no dataset or case study in this document, so nothing to explain");
        }
        explanations
    } else if args.base.is_some() {
        anyhow::bail!("--base applies to a file to explain, and {target:?} is no file");
    } else if looks_like_iri(&target) {
        let graph = context.open_graph()?;
        vec![explain_record(&tagger, &graph, &target)?]
    } else {
        vec![explain_text(&tagger, &target)?]
    };
    if args.json {
        print_out(&(serde_json::to_string_pretty(&explanations)? + "\n"))
    } else {
        print_out(&explanations.iter().map(|e| e.to_text()).collect::<String>())
    }
}

fn looks_like_iri(text: &str) -> bool {
    !text.contains(char::is_whitespace)
        && ["http://", "https://", "urn:"]
            .iter()
            .any(|scheme| text.starts_with(scheme))
}

pub fn train_model(args: TrainArgs) -> anyhow::Result<()> {
    let set = LabelledSet::load(&args.labels, &Featurizer::from_vocabulary())?;
    // Never the test split: its figures are only honest if the model never saw it.
    let model = train(
        &set.training_with_translations(),
        &args.options.options(),
        &set.hash,
    );
    std::fs::write(&args.out, model.to_json()).with_context(|| format!("writing {}", args.out.display()))?;
    // The vectors it read, test split included, kept beside it for the next training and
    // for tagging these texts again without the engine (`embedding` module).
    let memo = args.out.with_file_name("embeddings.bin");
    let everything = set.everything();
    let texts: Vec<String> = everything.iter().map(|e| e.text.clone()).collect();
    let vectors: Vec<Vec<f32>> = everything.iter().map(|e| e.embedding.clone()).collect();
    let kept = civicgraph_ingest::enrich::tag::embedding::write_memo(&memo, &texts, &vectors)?;
    eprintln!(
        "trained on {} cases; wrote {} ({}) and the vectors of {kept} texts to {}",
        model.examples,
        args.out.display(),
        model.version(),
        memo.display()
    );
    Ok(())
}

/// `outcomes` as a tab-separated table at `path`.
fn write_outcomes(path: &Path, outcomes: &[Outcome]) -> anyhow::Result<()> {
    let patterns: Vec<String> = outcomes
        .first()
        .map(|outcome| outcome.scores.iter().map(|s| s.pattern.clone()).collect())
        .unwrap_or_default();
    let mut table = Outcome::tsv_header(&patterns);
    table.push('\n');
    for outcome in outcomes {
        table.push_str(&outcome.to_tsv_row());
        table.push('\n');
    }
    std::fs::write(path, table).with_context(|| format!("writing {}", path.display()))
}

pub fn evaluate(context: &Context, args: EvalArgs) -> anyhow::Result<()> {
    if let Some(dir) = &args.datasets {
        let settings = &context.config.tagging;
        let evaluation = evaluate_datasets(&Tagger::new(settings)?, dir)?;
        return print_out(&if args.json {
            serde_json::to_string_pretty(&evaluation)? + "\n"
        } else {
            evaluation.to_markdown(&if settings.dataset_text {
                format!(
                    "dataset_text = true, dataset_threshold {}",
                    settings.dataset_threshold
                )
            } else {
                "dataset_text = false: patterns only from the case studies that used them".to_owned()
            })
        });
    }
    let set = LabelledSet::load(&args.labels, &Featurizer::from_vocabulary())?;
    let (training, testing) = (set.training(), set.testing());
    let trained = set.training_with_translations();
    let options = args.options.options();
    let settings = &context.config.tagging;
    // The training cases and translations again, their sentences read by the encoder as
    // the registry ships it: for figures no tuning's training cases may reach.
    let untuned = (args.untuned || args.collections_held_out)
        .then(|| FoldEncoder::untuned()?.retuned(&training, &set.translations))
        .transpose()?;
    // Figures over the untuned readings, saying so.
    let untuned_figures = |parts: Folds, note: &str| -> anyhow::Result<_> {
        let (cases, translated) = untuned.as_ref().expect("read when asked for");
        let cases: Vec<&Example> = cases.iter().collect();
        let mut evaluation = cross_validate(&cases, parts, &options, settings, &set.hash, translated, None)?;
        evaluation.what.push_str(note);
        Ok(evaluation)
    };
    let cross = if args.untuned {
        untuned_figures(Folds::Stratified(args.folds), " (the sentence encoder untuned)")?
    } else {
        let tunings = FoldTunings::load(&args.fold_tunings)?;
        cross_validate(
            &training,
            Folds::Stratified(args.folds),
            &options,
            settings,
            &set.hash,
            &set.translations,
            Some(&tunings),
        )?
    };
    if let Some(path) = &args.cases {
        write_outcomes(path, &cross.outcomes)?;
    }
    // The bundled tuning was trained on every collection, so each collection held out is
    // read by the encoder as shipped, untuned: no collection's labels reach its own vectors.
    let unseen = args
        .collections_held_out
        .then(|| {
            untuned_figures(
                Folds::Collections,
                " (the sentence encoder untuned: its tuning saw every collection)",
            )
        })
        .transpose()?;
    let test = (!testing.is_empty() && !args.cross_validation_only)
        .then(|| held_out(&trained, &testing, &options, settings, &set.hash));
    let curve = match (&test, args.learning_curve) {
        (Some(_), true) => learning_curve(&trained, &testing, &options, settings, &set.hash),
        _ => Vec::new(),
    };
    if args.json {
        let json = serde_json::json!({
            "cross_validation": cross,
            "collections_held_out": unseen,
            "test": test,
            "learning_curve": curve,
        });
        return print_out(&(serde_json::to_string_pretty(&json)? + "\n"));
    }
    let mut text = cross.to_markdown();
    if let Some(unseen) = &unseen {
        text.push('\n');
        text.push_str(&unseen.to_markdown());
    }
    if let Some(test) = &test {
        text.push('\n');
        text.push_str(&test.to_markdown());
    }
    if !curve.is_empty() {
        text.push_str("\nLearning curve (test-split macro-F1 by training cases).\n\n| training cases | macro-F1 |\n|---:|---:|\n");
        for point in &curve {
            text.push_str(&format!("| {} | {:.3} |\n", point.training_cases, point.macro_f1));
        }
    }
    print_out(&text)
}
