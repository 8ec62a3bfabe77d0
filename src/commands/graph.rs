//! `trustlint graph`: the assume-role graph as DOT, Mermaid or JSON.

use crate::cli::GraphArgs;
use crate::error::Error;
use crate::eval::Env;
use crate::exit::ExitStatus;
use crate::graph::view::{Cut, View};

pub fn run(args: GraphArgs) -> Result<ExitStatus, Error> {
    if args.depth.is_some() && args.to.is_none() && args.from.is_none() {
        return Err(Error::Usage(
            "`--depth` counts hops from `--to ROLE` or `--from PRINCIPAL`: give one".into(),
        ));
    }
    let account = args.account.as_deref().map(crate::settings::account_id).transpose()?;
    let (analysis, graph, settings) = super::load_graph(args.input)?;
    let env = Env::new(&analysis.inventory.accounts, settings.org_id.as_deref(), None);
    let node = |name: &Option<String>| name.as_deref().map(|n| super::paths::resolve(&graph, n)).transpose();
    let cut = Cut { to: node(&args.to)?, from: node(&args.from)?, depth: args.depth, account };
    let view = View::new(&graph, &analysis.inventory, &env, &cut);
    super::stream_stdout(|out| {
        crate::graph::render::graph(&graph, &analysis, &env, &view, args.format, out)
    })?;
    let status = super::input_status(&analysis);
    super::end_with((analysis, graph));
    Ok(status)
}
