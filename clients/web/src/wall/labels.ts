// The wall's words and colours for the API's enums (API names stay English).
import type { AlertLevel, AlertStatus, IncidentLevel } from '../gql/graphql';

export { ALERT_LEVEL } from '../regulator/labels';

export const ALERT_COLOR: Record<AlertLevel, string> = { INFO: '#3fa7ff', WARNING: '#ffb020', CRITICAL: '#ff4d4f' };

export const ALERT_STATUS: Record<AlertStatus, string> = {
  OPEN: '未处理',
  ACKNOWLEDGED: '已确认',
  RESOLVED: '已恢复',
};

/** 故障事件等级 (seed 004): 一级 is the most severe. */
export const INCIDENT_LEVEL: Record<IncidentLevel, string> = {
  LEVEL_1: '一级',
  LEVEL_2: '二级',
  LEVEL_3: '三级',
  LEVEL_4: '四级',
};

export const INCIDENT_COLOR: Record<IncidentLevel, string> = {
  LEVEL_1: '#ff4d4f',
  LEVEL_2: '#ff8a3d',
  LEVEL_3: '#ffd23f',
  LEVEL_4: '#3fa7ff',
};

/** What a panel shows instead of its data. */
export const EMPTY = { forbidden: '暂无权限', none: '暂无数据', loading: '加载中…' } as const;
