// The customer row shown by 首页 and 客户查询: tier, tags, latest contact, open opportunities.
import { graphql } from '../gql';

export const CustomerRowFields = graphql(`
  fragment CustomerRowFields on Customer {
    id
    name
    kind
    tier
    phone
    tags { name source }
    latestContact { contactedAt channel }
    opportunities(first: 3, status: [OPEN, CLAIMED]) { nodes { id title } }
  }
`);
