//! `trustlint graph`: the assume-role graph as DOT, Mermaid or JSON.

use crate::cli::GraphArgs;
use crate::error::Error;
use crate::eval::Env;
use crate::exit::ExitStatus;

pub fn run(args: GraphArgs) -> Result<ExitStatus, Error> {
    let (analysis, graph, settings) = super::load_graph(args.input)?;
    let env = Env::new(&analysis.inventory.accounts, settings.org_id.as_deref(), None);
    let mut out = std::io::stdout().lock();
    crate::graph::render::graph(&graph, &analysis, &env, args.format, &mut out)?;
    Ok(ExitStatus::Success)
}
