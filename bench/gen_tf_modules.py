#!/usr/bin/env python3
"""Generate a module-based Terraform repository with planted trust risks.

The shape platform teams use and module collections publish: one local
module (`modules/assumable-role`) whose trust policy is a
`data "aws_iam_policy_document"` of `dynamic "statement"` blocks driven by
variables, a `create` flag, and per-team root modules (`live/<team>/`) that
call it with `for_each` over a map of roles written in `locals`. Every risk
is decided by the caller's arguments, never by the module's own text.

    python3 bench/gen_tf_modules.py [OUT] [--sizes 100 1k] [--seed N]

writes OUT/tf-modules-<size>/ (default OUT: bench/corpus) with a
`planted.json` listing every role (its Terraform address) and its risks:
`wildcard-principal`, `cross-account-no-external-id`,
`oidc-unrestricted-subject`, `long-session`. Roles with `create = false`
hold risks too but do not exist: a finding on them is a false one.
Deterministic (fixed seed), standard library only.
"""

import argparse
import json
import os
import random
import shutil

SEED = 20261203
SIZES = {"100": 100, "1k": 1000}  # roles in the repository, about
TEAMS = ["payments", "search", "identity", "data", "platform", "mobile", "ml", "edge"]
OWN_ORG = ["111111111111", "222222222222", "333333333333"]
VENDORS = ["444455556666", "777788889999", "999988887777"]

MODULE_VARIABLES = '''variable "create" {
  description = "Whether to create the role"
  type        = bool
  default     = true
}

variable "name" {
  type = string
}

variable "trusted_arns" {
  description = "AWS principals that may assume the role"
  type        = list(string)
  default     = []
}

variable "external_id" {
  description = "The sts:ExternalId a third party must pass; null for none"
  type        = string
  default     = null
}

variable "services" {
  type    = list(string)
  default = []
}

variable "github" {
  description = "GitHub Actions OIDC trust: the provider and the allowed subjects"
  type = object({
    provider_arn = string
    subjects     = list(string)
  })
  default = null
}

variable "max_session_duration" {
  type    = number
  default = null
}
'''

MODULE_MAIN = '''data "aws_iam_policy_document" "trust" {
  count = var.create ? 1 : 0

  dynamic "statement" {
    for_each = length(var.trusted_arns) > 0 ? [var.trusted_arns] : []
    content {
      sid     = "TrustedPrincipals"
      actions = ["sts:AssumeRole", "sts:TagSession"]
      principals {
        type        = "AWS"
        identifiers = statement.value
      }
      dynamic "condition" {
        for_each = var.external_id == null ? [] : [var.external_id]
        content {
          test     = "StringEquals"
          variable = "sts:ExternalId"
          values   = [condition.value]
        }
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.services) > 0 ? [1] : []
    content {
      sid     = "Services"
      actions = ["sts:AssumeRole"]
      principals {
        type        = "Service"
        identifiers = var.services
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [data.aws_caller_identity.current.account_id]
      }
    }
  }

  dynamic "statement" {
    for_each = var.github == null ? [] : [var.github]
    iterator = gh
    content {
      sid     = "GitHubActions"
      actions = ["sts:AssumeRoleWithWebIdentity"]
      principals {
        type        = "Federated"
        identifiers = [gh.value.provider_arn]
      }
      condition {
        test     = "StringEquals"
        variable = "token.actions.githubusercontent.com:aud"
        values   = ["sts.amazonaws.com"]
      }
      condition {
        test     = "StringLike"
        variable = "token.actions.githubusercontent.com:sub"
        values   = gh.value.subjects
      }
    }
  }
}

data "aws_caller_identity" "current" {}

resource "aws_iam_role" "this" {
  count = var.create ? 1 : 0

  name                 = var.name
  assume_role_policy   = data.aws_iam_policy_document.trust[0].json
  max_session_duration = var.max_session_duration
}

output "arn" {
  value = try(aws_iam_role.this[0].arn, null)
}
'''


def q(s):
    return json.dumps(s)


def draw_role(rng, team, own):
    """One role's arguments (HCL lines) and its planted risks."""
    risks = []
    args = []
    kind = rng.random()
    if kind < 0.25:
        args.append("services = [%s]" % q(rng.choice(["lambda.amazonaws.com", "ecs-tasks.amazonaws.com", "states.amazonaws.com"])))
    elif kind < 0.45:
        # The own account or a sibling account of the organization.
        acct = rng.choice(["${data.aws_caller_identity.current.account_id}"] + [a for a in OWN_ORG if a != own])
        args.append("trusted_arns = [%s]" % q("arn:aws:iam::%s:root" % acct))
    elif kind < 0.70:
        vendor = rng.choice(VENDORS)
        principal = rng.choice(["arn:aws:iam::%s:root" % vendor, vendor, "arn:aws:iam::%s:role/integration" % vendor])
        args.append("trusted_arns = [%s]" % q(principal))
        if rng.random() < 0.5:
            args.append("external_id  = %s" % q("ext-%s-%04d" % (team, rng.randrange(10000))))
        else:
            risks.append("cross-account-no-external-id")
    elif kind < 0.78:
        args.append('trusted_arns = ["*"]')
        risks.append("wildcard-principal")
    else:
        if rng.random() < 0.6:
            subjects = [rng.choice(["repo:acme/%s:ref:refs/heads/main", "repo:acme/%s:environment:production",
                                    "repo:acme/%s:pull_request"]) % team]
        else:
            subjects = [rng.choice(["repo:*", "*", "repo:acme/*:*"])]
            if subjects == ["repo:acme/*:*"]:
                subjects = ["repo:*:ref:refs/heads/main"]
            risks.append("oidc-unrestricted-subject")
        args.append("github = {\n        provider_arn = aws_iam_openid_connect_provider.github.arn\n"
                    "        subjects     = [%s]\n      }" % ", ".join(q(s) for s in subjects))
    if rng.random() < 0.12:
        args.append("max_session_duration = 43200")
        risks.append("long-session")
    elif rng.random() < 0.3:
        args.append("max_session_duration = 3600")
    return args, risks


def write_root(out, team, index, rng, count):
    own = OWN_ORG[index % len(OWN_ORG)]
    rel = os.path.join("live", "%s-%03d" % (team, index))
    roles = []
    entries = []
    for i in range(count):
        key = "%s-%03d-%s-%d" % (team, index, rng.choice(["deploy", "reader", "etl", "ci", "vendor", "ops"]), i)
        args, risks = draw_role(rng, team, own)
        create = rng.random() >= 0.08
        if not create:
            args.append("create = false")
        body = "\n".join("      " + a for a in args)
        entries.append("    %s = {\n%s\n    }" % (q(key), body))
        address = 'module.roles[%s].aws_iam_role.this[0]' % q(key)
        roles.append({"root": rel, "key": key, "address": address, "create": create,
                      "risks": risks if create else [], "disabled_risks": [] if create else risks})
    text = '''terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

data "aws_caller_identity" "current" {}

resource "aws_iam_openid_connect_provider" "github" {
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
}

locals {
  roles = {
%s
  }
}

module "roles" {
  source   = "../../modules/assumable-role"
  for_each = local.roles

  name                 = each.key
  create               = try(each.value.create, true)
  trusted_arns         = try(each.value.trusted_arns, [])
  external_id          = try(each.value.external_id, null)
  services             = try(each.value.services, [])
  github               = try(each.value.github, null)
  max_session_duration = try(each.value.max_session_duration, null)
}
''' % "\n".join(entries)
    os.makedirs(os.path.join(out, rel), exist_ok=True)
    with open(os.path.join(out, rel, "main.tf"), "w") as f:
        f.write(text)
    return roles


def write_repo(out, size, seed):
    rng = random.Random(seed)
    os.makedirs(os.path.join(out, "modules", "assumable-role"))
    with open(os.path.join(out, "modules", "assumable-role", "variables.tf"), "w") as f:
        f.write(MODULE_VARIABLES)
    with open(os.path.join(out, "modules", "assumable-role", "main.tf"), "w") as f:
        f.write(MODULE_MAIN)
    roles = []
    index = 0
    while len(roles) < size:
        team = TEAMS[index % len(TEAMS)]
        roles += write_root(out, team, index, rng, rng.randrange(4, 12))
        index += 1
    totals = {}
    for r in roles:
        for risk in r["risks"]:
            totals[risk] = totals.get(risk, 0) + 1
    with open(os.path.join(out, "planted.json"), "w") as f:
        json.dump({"seed": seed, "roots": index, "roles": len(roles),
                   "disabled": sum(1 for r in roles if not r["create"]),
                   "totals": dict(sorted(totals.items())), "roles_detail": roles}, f, indent=1)
        f.write("\n")
    return index, len(roles), totals


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", nargs="?", default=os.path.join(here, "corpus"))
    ap.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()
    for size in args.sizes:
        out = os.path.join(args.out, "tf-modules-%s" % size)
        if os.path.exists(out):
            shutil.rmtree(out)
        roots, roles, totals = write_repo(out, SIZES[size], "%d-%s" % (args.seed, size))
        with open(os.path.join(out, "COMPLETE"), "w") as f:
            f.write("seed %d, size %s\n" % (args.seed, size))
        print("%s: %d root modules, %d roles, planted %s" % (out, roots, roles, json.dumps(totals)))


if __name__ == "__main__":
    main()
