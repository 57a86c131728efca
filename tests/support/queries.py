"""GraphQL operations more than one test directory sends."""

from __future__ import annotations

# One manager's morning page across four subgraphs: operations (me, org, manager), customers,
# marketing (opportunities) and finance (financing needs). tests/e2e/test_gateway.py checks its
# answer; tests/security/test_query_limits.py that it stays inside every query limit.
CROSS_SUBGRAPH = """
query MyCustomers($first: Int!) {
  me { displayName org { name } customers(first: 10) { nodes { name } } }
  customers(first: $first) {
    edges { node {
      name tier
      primaryManager { displayName }
      org { name }
      opportunities(first: 3) { edges { node { title } } }
      financingNeeds(first: 3) { edges { node { purpose status } } }
    } }
  }
}
"""
