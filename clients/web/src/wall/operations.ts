// The wall's typed operations (codegen: src/gql). Each panel reads on its own, so a field the
// viewer may not read (FORBIDDEN) empties that panel only. Devices and halls: pending.ts.
import { graphql } from '../gql';

graphql(`
  fragment WallAlert on Alert {
    id
    level
    status
    title
    source
    createdAt
    org {
      id
      name
    }
  }
`);

export const WallMe = graphql(`
  query WallMe {
    me {
      id
      displayName
      org {
        id
        name
      }
    }
  }
`);

/** The newest alerts routed to the viewer: the live list's first fill. */
export const WallRecentAlerts = graphql(`
  query WallRecentAlerts($first: Int!) {
    alerts(first: $first) {
      edges {
        node {
          ...WallAlert
        }
      }
    }
  }
`);

export const WallAlertStream = graphql(`
  subscription WallAlertStream($orgPath: String, $after: ID) {
    alerts(orgPath: $orgPath, after: $after) {
      eventId
      action
      alert {
        ...WallAlert
      }
    }
  }
`);

export const WallOpenIncidents = graphql(`
  query WallOpenIncidents($orgPath: String) {
    openIncidentCounts(orgPath: $orgPath) {
      level
      count
    }
  }
`);

/** Any step of an incident in scope: the open counts are read again (throttled). */
export const WallIncidentStream = graphql(`
  subscription WallIncidentStream($after: ID) {
    incidents(after: $after) {
      eventId
    }
  }
`);

export const WallMarketplaceToday = graphql(`
  query WallMarketplaceToday {
    marketplaceToday {
      day
      orders
      appliedAmount
      credits
      creditedAmount
      disbursements
      disbursedAmount
    }
  }
`);
