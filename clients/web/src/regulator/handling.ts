// The handling (受理单) operations the console shares: the detail with its history, 催单, 转单.
import { graphql } from '../gql';
import type { HandlingStatus } from '../gql/graphql';

export const HandlingDetail = graphql(`
  query RegulatorHandling($id: ID!) {
    handling(id: $id) {
      id
      orderNo
      orderKind
      status
      amount
      district
      grabbedAt
      createdAt
      stageDueAt
      completionDueAt
      overdue
      overdueReason
      urgeCount
      institution {
        id
        name
      }
      handler {
        id
        displayName
      }
      application {
        id
        purpose
        product {
          id
          name
        }
      }
      need {
        id
        purpose
      }
      riskPrompts {
        id
        kind
        detail
        createdAt
      }
      warnings {
        id
        kind
        stage
        dueAt
        createdAt
      }
      actions {
        id
        kind
        note
        createdAt
        actor {
          id
          displayName
        }
        toInstitution {
          id
          name
        }
      }
    }
  }
`);

export const Urge = graphql(`
  mutation RegulatorUrge($id: ID!, $note: String!) {
    urgeHandling(id: $id, note: $note) {
      id
      urgeCount
    }
  }
`);

export const Transfer = graphql(`
  mutation RegulatorTransfer($id: ID!, $to: ID!, $note: String!) {
    transferHandling(id: $id, toInstitutionId: $to, note: $note) {
      id
      orderNo
      institution {
        id
        name
      }
    }
  }
`);

export const CertifiedInstitutions = graphql(`
  query RegulatorCertifiedInstitutions {
    institutions(certified: true, first: 100) {
      edges {
        node {
          id
          name
          kind
        }
      }
    }
  }
`);

/** Ended handlings: no more 催单 or 转单 (the API answers CONFLICT). */
const FINAL: HandlingStatus[] = ['DISBURSED', 'REJECTED', 'NOT_SELECTED', 'TRANSFERRED', 'WITHDRAWN'];
export const isOpen = (status: HandlingStatus): boolean => !FINAL.includes(status);
