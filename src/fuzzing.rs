//! Entry points for the fuzz targets (`fuzz/`) and for the test that replays
//! their saved regression inputs: each takes arbitrary bytes and runs a part
//! of the pipeline on them in memory, without touching the file system.
//! Whatever the bytes, they must return, within the evaluation budgets,
//! without panicking.

use std::sync::Arc;

use clap::ValueEnum;

use crate::cli::{DocFormat, GraphFormat};
use crate::discover::Input;
use crate::eval::Env;
use crate::graph::TrustGraph;
use crate::graph::view::{Cut, View};
use crate::settings::{OutputFormat, Settings};

/// The file names the first byte of an input chooses from: each is read as
/// a file of that name would be.
pub const NAMES: [&str; 6] =
    ["policy.json", "template.yaml", "main.tf", "main.tf.json", "plan.json", "terraform.tfstate"];

/// Bytes that separate the files of a [`check_pipeline`] input (a byte
/// that never occurs in UTF-8 text).
pub const FILE_SEPARATOR: u8 = 0xff;

/// At most this many files in one [`check_pipeline`] input.
pub const MAX_FILES: usize = 4;

/// The name chosen by a selector byte.
fn name_of(selector: u8) -> &'static str {
    NAMES[usize::from(selector) % NAMES.len()]
}

/// Reads one source from bytes: the first byte chooses the file's name
/// (see [`NAMES`]), the rest is its content. Decodes, parses, detects the
/// format and extracts the policies, as reading one file does.
pub fn read_source(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else { return };
    let name = name_of(selector);
    let Ok(text) = crate::syntax::text::decode(rest.to_vec()) else { return };
    if matches!(name, "main.tf" | "main.tf.json") {
        let _ = crate::sources::terraform::read_one(name, &text);
    } else {
        let _ = crate::sources::read(name, &text);
    }
}

/// Splits `data` into in-memory inputs: up to [`MAX_FILES`] parts separated
/// by [`FILE_SEPARATOR`], each starting with its selector byte.
pub fn inputs_of(data: &[u8]) -> Vec<Input> {
    data.split(|&b| b == FILE_SEPARATOR)
        .take(MAX_FILES)
        .enumerate()
        .filter_map(|(i, part)| {
            let (&selector, rest) = part.split_first()?;
            // Files of one run need distinct names; Terraform files share
            // their (unnamed) directory's module only by being read alone.
            let name = format!("f{i}/{}", name_of(selector));
            Some(Input::Bytes { name, bytes: Arc::from(rest) })
        })
        .collect()
}

/// The whole `check` pipeline in memory with every rule: the inputs of
/// [`inputs_of`], every report format, the graph in every format, and the
/// paths to and from the first few principals.
pub fn check_pipeline(data: &[u8]) {
    let inputs = inputs_of(data);
    let settings = Settings::default();
    let analysis = crate::analysis::analyze(&inputs, &settings);
    for &format in OutputFormat::value_variants() {
        let _ = crate::report::render_to_string(&analysis, format);
    }
    let graph = TrustGraph::build(&analysis.inventory, &analysis.files, &settings);
    let env = Env::new(&analysis.inventory.accounts, settings.org_id.as_deref(), None);
    let view = View::new(&graph, &analysis.inventory, &env, &Cut::default());
    let mut out = Vec::new();
    for &format in GraphFormat::value_variants() {
        out.clear();
        let _ = crate::graph::render::graph(&graph, &analysis, &env, &view, format, &mut out);
    }
    for node in 0..graph.nodes.len().min(8) {
        let accounts = graph.account_trust(&analysis.inventory, &env, node);
        let to = graph.chains_to(&analysis.inventory, &env, node);
        let from = graph.chains_from(&analysis.inventory, &env, node);
        for &format in DocFormat::value_variants() {
            out.clear();
            let _ =
                crate::graph::render::paths(&graph, &analysis, node, true, &to, &accounts, format, &mut out);
            out.clear();
            let _ = crate::graph::render::paths(&graph, &analysis, node, false, &from, &[], format, &mut out);
        }
    }
}

/// Reads an export piece by piece, as from a file, in blocks and batches
/// the first byte chooses, and panics if that gives anything but what
/// parsing the whole text gives: the same extraction, length and line
/// starts whenever the piecewise reading does not give up (a file it gives
/// up on is read whole).
pub fn export_reading(data: &[u8]) {
    use crate::sources::Format;
    let Some((&knob, bytes)) = data.split_first() else { return };
    let block = usize::from(knob & 0x0f) * 7 + 1;
    let batch = usize::from(knob >> 4) * 61 + 1;
    let Ok(read) = crate::sources::iam_export::stream::read_in_blocks(bytes, block, batch) else { return };
    let text = std::str::from_utf8(bytes).expect("read piece by piece, so ASCII");
    let root = crate::syntax::json::parse(text).expect("read piece by piece, so valid JSON");
    assert_eq!(crate::sources::detect(&root), Some(Format::AuthorizationDetails));
    let whole = crate::sources::extract(text, &root, Format::AuthorizationDetails);
    assert_eq!(format!("{:?}", read.extracted), format!("{whole:?}"));
    assert_eq!(read.len, bytes.len());
    let lines = std::iter::once(0).chain(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
    assert!(read.line_starts.iter().map(|s| s as usize).eq(lines), "line starts");
}
