// 首页 / 移动工作台: the whole workbench in one document, sent through the gateway, which asks each
// subgraph for its part in parallel — today's schedule and unread reminders (customers), approvals
// waiting for me (operations, across every subgraph's requests), my work orders (marketing), my
// open incidents for the roles that work them ($withIncidents), announcements with the unread
// count (operations), my work report of this week and the month's 绩效龙虎榜 (marketing: $period
// is the month, 2026-12). Every list is bounded by
// $first and costs the same number of SQL statements at 10 items as at 100
// (tests/e2e/test_workbench.py). Field for field what the page reads; nested entities of another
// subgraph are asked by id only (a work order's customer), so no list fans out across subgraphs —
// except the leaderboard's names (staff and org, from operations): a ranking of ids means nothing
// to a reader, and the gateway fetches them in one batched call for the whole list.
import { graphql } from '../gql';

export const Workbench = graphql(`
  query Workbench(
    $dayStart: DateTime!
    $dayEnd: DateTime!
    $period: String!
    $first: Int! = 10
    $withIncidents: Boolean! = false
  ) {
    mySchedule(start: $dayStart, end: $dayEnd) {
      id
      title
      startsAt
      remindAt
      customerId
    }
    myReminders(first: $first, unreadOnly: true) {
      pageInfo { hasNextPage }
      nodes { id kind title dueAt read customer { id name } }
    }
    pendingApprovals(first: $first) {
      id
      function
      subjectId
      title
      stepName
      submittedAt
      submittedBy { id displayName }
    }
    workOrders(first: $first, mine: true, status: [PENDING, IN_PROGRESS]) {
      pageInfo { hasNextPage }
      nodes { id status createdAt scheme { id name endsOn } customer { id } }
    }
    incidents(first: $first, mine: true, open: true) @include(if: $withIncidents) {
      pageInfo { hasNextPage }
      nodes { id code title level status reportedAt }
    }
    announcements(first: $first) {
      pageInfo { hasNextPage }
      nodes { id title publishedAt read org { id name } }
    }
    announcementUnreadCount
    myWorkReport(period: WEEK) {
      id
      period
      startsOn
      endsOn
      status
      returnComment
      figures { contacts visits workOrdersProcessed opportunitiesClaimed opportunitiesConverted }
    }
    performanceLeaderboard(period: $period, first: $first) {
      rank
      score
      staff { id displayName }
      org { id name }
    }
  }
`);
