// Operations on fields other issue-16 work adds (devices: deviceSummary / deviceStatus; operations
// halls: hallStatuses / hallStatus), written against their agreed contract as plain strings, so
// codegen (which checks every `graphql(...)` against schema/sdl) does not need them yet. The wall
// asks for them at run time: until the gateway knows them the query is refused (validation) and
// the panel says 暂无数据; once they are merged the panels fill without a change here.
// Wiring them for good: move each into operations.ts as `graphql(...)` and drop the types below.
import { createRequest, type TypedDocumentNode } from '@urql/core';

/** A document from a string, typed by hand (what codegen would infer from the schema). */
function typed<TData, TVars extends object>(query: string): TypedDocumentNode<TData, TVars> {
  return createRequest(query, {}).query as TypedDocumentNode<TData, TVars>;
}

export interface HallRef {
  id: string;
  name: string;
}

export interface HallDeviceSummary {
  hall: HallRef;
  total: number;
  online: number;
  offline: number;
  fault: number;
  maintenance: number;
  onlineRate: number;
}

export const DeviceSummary = typed<{ deviceSummary: HallDeviceSummary[] }, { orgPath?: string | null }>(`
  query WallDeviceSummary($orgPath: String) {
    deviceSummary(orgPath: $orgPath) {
      hall { id name }
      total
      online
      offline
      fault
      maintenance
      onlineRate
    }
  }
`);

export const DeviceStatusStream = typed<
  { deviceStatus: { eventId: string } },
  { orgPath?: string | null; after?: string | null }
>(`
  subscription WallDeviceStatus($orgPath: String, $after: ID) {
    deviceStatus(orgPath: $orgPath, after: $after) {
      eventId
    }
  }
`);

export interface HallStatus {
  hall: HallRef;
  queueLength: number;
  averageWaitMinutes: number | null;
  longestWaitMinutes: number | null;
  servedToday: number;
  visitorsToday: number;
  staffOnDuty: number;
}

const HALL_STATUS_FIELDS = `
  hall { id name }
  queueLength
  averageWaitMinutes
  longestWaitMinutes
  servedToday
  visitorsToday
  staffOnDuty
`;

export const HallStatuses = typed<{ hallStatuses: HallStatus[] }, { orgPath?: string | null }>(`
  query WallHallStatuses($orgPath: String) {
    hallStatuses(orgPath: $orgPath) { ${HALL_STATUS_FIELDS} }
  }
`);

export const HallStatusStream = typed<
  { hallStatus: { eventId: string; status: HallStatus } },
  { orgPath?: string | null; after?: string | null }
>(`
  subscription WallHallStatus($orgPath: String, $after: ID) {
    hallStatus(orgPath: $orgPath, after: $after) {
      eventId
      status { ${HALL_STATUS_FIELDS} }
    }
  }
`);
