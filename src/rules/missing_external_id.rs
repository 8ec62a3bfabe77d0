use std::collections::BTreeMap;

use super::{Context, Rule, declare_rule};
use crate::eval::{Scenario, accounts_named_in, admits, principal_account};
use crate::model::{Principal, PrincipalEntry};

declare_rule!(
    MissingExternalId,
    code = "TL102",
    name = "missing-external-id",
    severity = Warning,
    summary = "a third-party account can assume the role without an external id",
);

impl Rule for MissingExternalId {
    fn check_policy(&self, cx: &mut Context<'_>) {
        let Some(policy) = cx.trust_policy() else { return };
        for (i, _, principals) in policy.grants() {
            // Accounts this statement may admit: named as principals, or,
            // behind a `*` principal, named by a condition of any statement
            // (an `Allow` that pins the `*`, a `Deny` that spares them).
            let mut accounts: BTreeMap<String, &PrincipalEntry> = BTreeMap::new();
            for e in &principals.entries {
                if let Some(acct) = principal_account(&e.principal) {
                    accounts.entry(acct.to_owned()).or_insert(e);
                }
                if e.principal == Principal::Anyone {
                    for acct in accounts_named_in(policy, &["aws:principalaccount", "aws:principalarn"]) {
                        accounts.entry(acct).or_insert(e);
                    }
                }
            }
            for (account, entry) in accounts {
                if cx.env.is_trusted(&account) {
                    continue;
                }
                let caller = Scenario::aws_principal(&account, false, cx.env);
                if !admits(policy, i, &caller) {
                    continue;
                }
                // `concat`, not `format!`: most third-party trusts are findings.
                let message = [
                    "principals in account `",
                    &account,
                    "`, not known to be yours, can assume this role without an external id",
                ]
                .concat();
                cx.report(&Self::META, entry.text.span, &entry.text.pointer, message)
                    .label("a third-party account")
                    .help(
                        [
                            "require `sts:ExternalId` with a `StringEquals` condition, or, if `",
                            &account,
                            "` is yours, pass `--trusted-account ",
                            &account,
                            "`",
                        ]
                        .concat(),
                    );
            }
        }
    }
}
