// The signed-in admin (id, roles, org), read once by the layout and given to the views.
import type { ComputedRef, InjectionKey } from 'vue';

export interface Admin {
  id: string;
  displayName: string;
  roles: string[];
  org: { id: string; name: string };
}

export const ME: InjectionKey<ComputedRef<Admin | null>> = Symbol('admin');
