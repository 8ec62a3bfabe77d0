//! `trustlint paths`: who can reach a role, or what a principal can reach,
//! hop by hop.

use crate::cli::PathsArgs;
use crate::error::Error;
use crate::eval::Env;
use crate::exit::ExitStatus;
use crate::graph::{NodeId, TrustGraph};

pub fn run(args: PathsArgs) -> Result<ExitStatus, Error> {
    let (format, to, from) = (args.format, args.to, args.from);
    let (analysis, graph, settings) = super::load_graph(args.input)?;
    let env = Env::new(&analysis.inventory.accounts, settings.org_id.as_deref(), None);
    let (name, backward) = match (&to, &from) {
        (Some(t), _) => (t.as_str(), true),
        (None, Some(f)) => (f.as_str(), false),
        (None, None) => return Err(Error::Usage("give `--to ROLE` or `--from PRINCIPAL`".into())),
    };
    let node = resolve(&graph, name)?;
    let (chains, accounts) = if backward {
        let accounts = graph.account_trust(&analysis.inventory, &env, node);
        (graph.chains_to(&analysis.inventory, &env, node), accounts)
    } else {
        (graph.chains_from(&analysis.inventory, &env, node), Vec::new())
    };
    super::stream_stdout(|out| {
        crate::graph::render::paths(&graph, &analysis, node, backward, &chains, &accounts, format, out)
    })?;
    let status = super::input_status(&analysis);
    super::end_with((analysis, graph, chains));
    Ok(status)
}

/// The one user or role `name` stands for.
pub(super) fn resolve(graph: &TrustGraph, name: &str) -> Result<NodeId, Error> {
    match graph.find(name).as_slice() {
        [one] => Ok(*one),
        [] => Err(Error::Usage(format!("no user or role `{name}` in the inputs"))),
        many => {
            let names: Vec<String> = many.iter().map(|&n| graph.label(n)).collect();
            Err(Error::Usage(format!(
                "`{name}` matches several principals; give an ARN: {}",
                names.join(", ")
            )))
        }
    }
}
