//! The condition keys an `sts:AssumeRole*` request can carry. A key outside
//! these is never in the request: a condition on it never sees a value.

/// Global condition keys (lowercase); a trailing `/` marks a prefix.
pub const GLOBAL_KEYS: [&str; 44] = [
    "aws:calledvia",
    "aws:calledviafirst",
    "aws:calledvialast",
    "aws:currenttime",
    "aws:epochtime",
    "aws:federatedprovider",
    "aws:multifactorauthage",
    "aws:multifactorauthpresent",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalisawsservice",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalservicename",
    "aws:principalservicenameslist",
    "aws:principaltag/",
    "aws:principaltype",
    "aws:referer",
    "aws:requestedregion",
    "aws:requesttag/",
    "aws:resourceaccount",
    "aws:resourceorgid",
    "aws:resourceorgpaths",
    "aws:resourcetag/",
    "aws:securetransport",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceidentity",
    "aws:sourceip",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourceowner",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourcevpcarn",
    "aws:tagkeys",
    "aws:tokenissuetime",
    "aws:useragent",
    "aws:userid",
    "aws:username",
    "aws:viaawsservice",
    "aws:vpcsourceip",
    "aws:ec2instancesourcevpc",
    "aws:ec2instancesourceprivateipv4",
];

/// Keys of the STS service (lowercase).
pub const STS_KEYS: [&str; 7] = [
    "sts:awsservicename",
    "sts:durationseconds",
    "sts:externalid",
    "sts:rolesessionname",
    "sts:sourceidentity",
    "sts:transitivetagkeys",
    "sts:tagsession",
];

/// Whether `key` (lowercase) can be in an `sts:AssumeRole*` request.
pub fn known_key(key: &str) -> bool {
    let Some((prefix, _)) = crate::support::split_at_byte(key, b':') else { return false };
    match prefix {
        // A key with a `/` is a tag key: its prefix, up to that `/`, is listed.
        "aws" => match memchr::memchr(b'/', key.as_bytes()) {
            Some(slash) => GLOBAL_KEYS.contains(&&key[..=slash]),
            None => GLOBAL_KEYS.contains(&key),
        },
        "sts" => STS_KEYS.contains(&key),
        // SAML attributes and federated providers' claims.
        "saml" => true,
        "iam" => key.starts_with("iam:resourcetag/"),
        // `token.actions.githubusercontent.com:sub`, `cognito-identity.amazonaws.com:aud`, …
        p => is_claim_prefix(p),
    }
}

/// Whether a key prefix (lowercase, before the `:`) is a federated
/// provider's: its issuer's host and path, as in
/// `token.actions.githubusercontent.com:sub` or
/// `oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub`.
pub fn is_claim_prefix(prefix: &str) -> bool {
    prefix.contains('.') || prefix.contains('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_global_key_is_listed_or_under_a_listed_prefix() {
        let listed =
            |key: &str| GLOBAL_KEYS.iter().any(|k| *k == key || (k.ends_with('/') && key.starts_with(k)));
        let mut keys = vec!["aws:", "aws:/", "aws:x/y", "aws:principaltag", "aws:principalarn/x", "aws://"];
        let made: Vec<String> = GLOBAL_KEYS
            .iter()
            .flat_map(|k| {
                [format!("{k}team"), format!("{k}a/b"), format!("{k}/"), k[..k.len() - 1].to_owned()]
            })
            .collect();
        keys.extend(GLOBAL_KEYS);
        keys.extend(made.iter().map(String::as_str));
        for key in keys {
            assert_eq!(known_key(key), listed(key), "{key}");
        }
    }
}
