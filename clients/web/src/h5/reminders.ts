// 未读提醒: loaded once (`myReminders(unreadOnly: true)`), then kept live by the `reminders`
// stream (resumed with `after` by lib/stream.ts after any disconnect). One store per signed-in
// shell, shared by the 首页 list and the tab bar's badge through provide/inject.
import { useClientHandle } from '@urql/vue';
import { computed, inject, provide, ref, type ComputedRef, type InjectionKey, type Ref } from 'vue';
import { graphql } from '../gql';
import type { UnreadRemindersQuery } from '../gql/graphql';
import { useStreams } from '../lib/app';
import { errorMessage } from '../lib/errors';
import { resumable, type StreamStatus } from '../lib/stream';

export type ReminderItem = UnreadRemindersQuery['myReminders']['nodes'][number];

const UnreadReminders = graphql(`
  query UnreadReminders {
    myReminders(first: 50, unreadOnly: true) {
      pageInfo { hasNextPage }
      nodes { id kind title dueAt read createdAt customer { id name } }
    }
  }
`);

const ReminderStream = graphql(`
  subscription ReminderStream($after: ID) {
    reminders(after: $after) {
      eventId
      reminder { id kind title dueAt read createdAt customer { id name } }
    }
  }
`);

const MarkRead = graphql(`
  mutation MarkRemindersRead($ids: [ID!]!) {
    markRemindersRead(ids: $ids) { id read }
  }
`);

export interface ReminderStore {
  items: Ref<ReminderItem[]>;
  more: Ref<boolean>;
  loading: Ref<boolean>;
  error: Ref<string>;
  status: Ref<StreamStatus>;
  count: ComputedRef<number>;
  reload(): Promise<void>;
  markRead(ids: string[]): Promise<string>;
}

const KEY: InjectionKey<ReminderStore> = Symbol('reminders');

export function provideReminders(): ReminderStore {
  const client = useClientHandle().client;
  const items = ref<ReminderItem[]>([]);
  const more = ref(false);
  const loading = ref(true);
  const error = ref('');

  async function reload(): Promise<void> {
    loading.value = true;
    const result = await client.query(UnreadReminders, {}, { requestPolicy: 'network-only' }).toPromise();
    loading.value = false;
    error.value = errorMessage(result.error);
    if (!result.data) return;
    // Events that arrived while loading are kept.
    const loaded = result.data.myReminders.nodes;
    const ids = new Set(loaded.map((r) => r.id));
    // Newest first, like a notification list.
    items.value = [...items.value.filter((r) => !ids.has(r.id) && !r.read), ...loaded].sort((a, b) =>
      b.createdAt.localeCompare(a.createdAt),
    );
    more.value = result.data.myReminders.pageInfo.hasNextPage;
  }

  const { status } = resumable(useStreams(), ReminderStream, () => ({}), {
    eventId: (data) => data.reminders.eventId,
    onEvent(data) {
      const reminder = data.reminders.reminder;
      if (reminder.read || items.value.some((r) => r.id === reminder.id)) return;
      items.value = [reminder, ...items.value];
    },
    // No replay possible (back before any event, or the cursor expired): reload the list.
    onReset: () => void reload(),
  });

  async function markRead(ids: string[]): Promise<string> {
    const result = await client.mutation(MarkRead, { ids }).toPromise();
    if (result.error) return errorMessage(result.error);
    const done = new Set(ids);
    items.value = items.value.filter((r) => !done.has(r.id));
    return '';
  }

  void reload();
  const store: ReminderStore = {
    items,
    more,
    loading,
    error,
    status,
    count: computed(() => items.value.length),
    reload,
    markRead,
  };
  provide(KEY, store);
  return store;
}

export function useReminders(): ReminderStore {
  return inject(KEY)!;
}
