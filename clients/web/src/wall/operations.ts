// The wall's typed operations (codegen: src/gql). Each panel reads on its own, so a field the
// viewer may not read (FORBIDDEN) empties that panel only.
import { graphql } from '../gql';
import type { WallDeviceSummaryQuery, WallHallStatusFragment } from '../gql/graphql';

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

/** 设备在线率 per hall in the viewer's scope. */
export const DeviceSummary = graphql(`
  query WallDeviceSummary($orgPath: String) {
    deviceSummary(orgPath: $orgPath) {
      hall {
        id
        name
      }
      total
      online
      offline
      fault
      maintenance
      onlineRate
    }
  }
`);

/** Any device status change in scope: the online figures are read again (throttled). */
export const DeviceStatusStream = graphql(`
  subscription WallDeviceStatus($orgPath: String, $after: ID) {
    deviceStatus(orgPath: $orgPath, after: $after) {
      eventId
    }
  }
`);

graphql(`
  fragment WallHallStatus on HallStatus {
    hall {
      id
      name
    }
    queueLength
    averageWaitMinutes
    longestWaitMinutes
    servedToday
    visitorsToday
    staffOnDuty
  }
`);

/** 今日排队与客流 of the halls in scope. */
export const HallStatuses = graphql(`
  query WallHallStatuses($orgPath: String) {
    hallStatuses(orgPath: $orgPath) {
      ...WallHallStatus
    }
  }
`);

/** A hall's whole status each time its queue, visitors, staff or devices change. */
export const HallStatusStream = graphql(`
  subscription WallHallStatusStream($orgPath: String, $after: ID) {
    hallStatus(orgPath: $orgPath, after: $after) {
      eventId
      status {
        ...WallHallStatus
      }
    }
  }
`);

export type HallDeviceSummary = WallDeviceSummaryQuery['deviceSummary'][number];
export type HallStatus = WallHallStatusFragment;
