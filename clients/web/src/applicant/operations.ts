// Every GraphQL operation of the applicant pages (typed by GraphQL Code Generator).
import { graphql } from '../gql';

export const HandlingFields = graphql(`
  fragment ApplicantHandling on Handling {
    id
    status
    orderNo
    amount
    grabbedAt
    preReviewedAt
    creditedAt
    disbursedAt
    preReviewPassed
    creditAmount
    creditRate
    disbursedAmount
    rejectReason
    institution {
      id
      name
      kind
    }
    offer {
      id
      amount
      rate
      termMonths
      validUntil
      note
      status
    }
  }
`);

export const NeedFields = graphql(`
  fragment ApplicantNeed on FinancingNeed {
    id
    orderNo
    amount
    termMonths
    purpose
    project
    loanPreference
    expectedRate
    region
    industry
    status
    maxInstitutions
    grabCount
    viewedByInstitutions
    createdAt
    contactName
    contactPhone
    handlings {
      ...ApplicantHandling
    }
  }
`);

export const MyNeeds = graphql(`
  query ApplicantNeeds($first: Int!) {
    financingNeeds(first: $first) {
      nodes {
        id
        orderNo
        amount
        termMonths
        purpose
        project
        status
        grabCount
        maxInstitutions
        viewedByInstitutions
        createdAt
        offers {
          id
          status
        }
      }
    }
  }
`);

export const MyApplications = graphql(`
  query ApplicantApplications($first: Int!) {
    productApplications(first: $first) {
      nodes {
        id
        orderNo
        amount
        termMonths
        purpose
        status
        createdAt
        product {
          id
          name
          institution {
            id
            name
          }
        }
      }
    }
  }
`);

export const NeedDetail = graphql(`
  query ApplicantNeed($id: ID!) {
    financingNeed(id: $id) {
      ...ApplicantNeed
    }
  }
`);

export const ApplicationDetail = graphql(`
  query ApplicantApplication($id: ID!) {
    productApplication(id: $id) {
      id
      orderNo
      amount
      termMonths
      purpose
      project
      district
      status
      createdAt
      feedbackStars
      applicantName
      contactPhone
      product {
        id
        name
        rateMin
        rateMax
        institution {
          id
          name
        }
      }
      handlings {
        ...ApplicantHandling
      }
    }
  }
`);

export const MyOrders = graphql(`
  subscription ApplicantOrders($after: ID) {
    myOrders(after: $after) {
      eventId
      occurredAt
      kind
      orderKind
      need {
        id
        status
        viewedByInstitutions
        grabCount
      }
      application {
        id
        status
      }
      handling {
        ...ApplicantHandling
      }
    }
  }
`);

export const PublishNeed = graphql(`
  mutation ApplicantPublishNeed($input: PublishNeedInput!) {
    publishNeed(input: $input) {
      id
      orderNo
    }
  }
`);

export const WithdrawNeed = graphql(`
  mutation ApplicantWithdrawNeed($id: ID!) {
    withdrawNeed(id: $id) {
      id
      status
    }
  }
`);

export const RepublishNeed = graphql(`
  mutation ApplicantRepublishNeed($id: ID!) {
    republishNeed(id: $id) {
      id
    }
  }
`);

export const SelectOffer = graphql(`
  mutation ApplicantSelectOffer($offerId: ID!) {
    selectOffer(offerId: $offerId) {
      id
      status
    }
  }
`);

export const WithdrawApplication = graphql(`
  mutation ApplicantWithdrawApplication($id: ID!) {
    withdrawApplication(id: $id) {
      id
      status
    }
  }
`);

export const RateApplication = graphql(`
  mutation ApplicantRate($id: ID!, $stars: Int!) {
    rateApplication(id: $id, stars: $stars) {
      id
      status
    }
  }
`);

export const SubmitComplaint = graphql(`
  mutation ApplicantComplain($input: SubmitComplaintInput!) {
    submitComplaint(input: $input) {
      id
      status
    }
  }
`);

export const MyComplaints = graphql(`
  query ApplicantComplaints($first: Int!) {
    complaints(first: $first) {
      nodes {
        id
        orderNo
        kind
        content
        status
        reply
        verdict
        reviewComment
        createdAt
        institution {
          id
          name
        }
      }
    }
  }
`);

export const ComplaintTarget = graphql(`
  query ApplicantComplaintTarget($id: ID!) {
    handling(id: $id) {
      id
      orderNo
      status
      institution {
        id
        name
      }
    }
  }
`);

export const Products = graphql(`
  query ApplicantProducts($first: Int!, $filter: ProductFilter) {
    financialProducts(first: $first, filter: $filter) {
      nodes {
        id
        name
        productType
        description
        guaranteeMethod
        loanMethod
        minAmount
        maxAmount
        rateMin
        rateMax
        termMonths
        rating
        loansCount
        feedbackScore
        institution {
          id
          name
          kind
        }
      }
    }
  }
`);

export const ApplyForProduct = graphql(`
  mutation ApplicantApply($input: ApplyInput!) {
    applyForProduct(input: $input) {
      id
      orderNo
    }
  }
`);
