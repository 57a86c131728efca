// 上一页 / 下一页 over a cursor connection: the cursor of the page shown and those before it.
import { ref } from 'vue';

export function cursorPages() {
  const after = ref<string | null>(null);
  const before = ref<(string | null)[]>([]);
  return {
    after,
    hasPrevious: () => before.value.length > 0,
    reset(): void {
      before.value = [];
      after.value = null;
    },
    next(endCursor: string | null | undefined): void {
      before.value.push(after.value);
      after.value = endCursor ?? null;
    },
    previous(): void {
      after.value = before.value.pop() ?? null;
    },
  };
}
