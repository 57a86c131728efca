// The grab client's GraphQL operations (typed by GraphQL Code Generator from the supergraph).
import { graphql } from '../gql';

export const NeedCardFields = graphql(`
  fragment GrabNeedCard on FinancingNeed {
    id
    orderNo
    amount
    termMonths
    purpose
    industry
    region
    loanPreference
    maxInstitutions
    grabCount
    createdAt
    status
  }
`);

export const ApplicationCardFields = graphql(`
  fragment GrabApplicationCard on ProductApplication {
    id
    orderNo
    amount
    termMonths
    purpose
    district
    createdAt
    status
    product {
      id
      name
      guaranteeMethod
    }
  }
`);

export const PoolPage = graphql(`
  query GrabPoolPage($first: Int!, $after: String) {
    grabPool(first: $first, after: $after) {
      nodes {
        ...GrabNeedCard
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

/** Orders that reached my institution and wait for a grab: applications, and needs transferred in (转单). */
export const AssignedPage = graphql(`
  query GrabAssigned($first: Int!, $after: String) {
    handlings(first: $first, after: $after, filter: { status: ASSIGNED }) {
      nodes {
        id
        createdAt
        orderKind
        need {
          ...GrabNeedCard
        }
        application {
          ...GrabApplicationCard
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const PoolStream = graphql(`
  subscription GrabPoolStream($after: ID) {
    grabPool(after: $after) {
      eventId
      kind
      orderKind
      removeFromPool
      need {
        ...GrabNeedCard
      }
      application {
        ...GrabApplicationCard
      }
    }
  }
`);

export const GrabNeed = graphql(`
  mutation GrabNeed($id: ID!) {
    grabNeed(id: $id) {
      id
      status
    }
  }
`);

export const GrabApplication = graphql(`
  mutation GrabApplication($id: ID!) {
    grabApplication(id: $id) {
      id
      status
    }
  }
`);

export const HandlingFields = graphql(`
  fragment GrabHandling on Handling {
    id
    orderKind
    orderNo
    status
    amount
    district
    grabbedAt
    preReviewedAt
    creditedAt
    disbursedAt
    stageDueAt
    completionDueAt
    overdue
    urgeCount
    preReviewPassed
    creditAmount
    creditRate
    disbursedAmount
    rejectReason
    need {
      id
      termMonths
      purpose
      industry
      region
      loanPreference
    }
    application {
      id
      termMonths
      purpose
      product {
        id
        name
        guaranteeMethod
      }
    }
    offer {
      id
      amount
      rate
      termMonths
      validUntil
      status
    }
  }
`);

export const MyHandlings = graphql(`
  query GrabMyHandlings($first: Int!, $after: String) {
    handlings(first: $first, after: $after, filter: { mine: true }) {
      nodes {
        ...GrabHandling
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const OneHandling = graphql(`
  query GrabHandlingDetail($id: ID!) {
    handling(id: $id) {
      ...GrabHandling
      # Contact details: full to the account manager who grabbed it (the list leaves them out,
      # it also holds colleagues' handlings).
      need {
        id
        contactName
        contactPhone
      }
      application {
        id
        applicantName
        contactPhone
      }
      riskPrompts {
        kind
        detail
      }
    }
  }
`);

export const PreReview = graphql(`
  mutation GrabPreReview($id: ID!, $passed: Boolean!, $note: String!) {
    preReview(id: $id, passed: $passed, note: $note) {
      ...GrabHandling
    }
  }
`);

export const MakeOffer = graphql(`
  mutation GrabMakeOffer($id: ID!, $input: OfferInput!) {
    makeOffer(id: $id, input: $input) {
      ...GrabHandling
    }
  }
`);

export const GrantCredit = graphql(`
  mutation GrabGrantCredit($id: ID!, $input: CreditInput!) {
    grantCredit(id: $id, input: $input) {
      ...GrabHandling
    }
  }
`);

export const FailCredit = graphql(`
  mutation GrabFailCredit($id: ID!, $reason: String!) {
    failCredit(id: $id, reason: $reason) {
      ...GrabHandling
    }
  }
`);

export const Disburse = graphql(`
  mutation GrabDisburse($id: ID!, $amount: Decimal!) {
    disburse(id: $id, amount: $amount) {
      ...GrabHandling
    }
  }
`);
