// Query limits at the gateway, the same numbers and formulas as the subgraphs
// (subgraphs/settings.py `Limits`, security/query_limits.py), passed in as DCMS_* variables.
//  - depth and tokens: Hive Gateway's built-in `maxDepth` / `maxTokens` (graphql-armor); this
//    plugin only gives their refusals a code;
//  - aliases and cost: no built-in with our semantics (demandControl prices lists only through
//    @listSize directives, which the subgraphs do not emit), so they are validation rules here;
//  - a subscription over plain HTTP that cannot stream is refused before execution (the
//    earlier hole: the gateway answered 406 but left the upstream subscription open).
import {
  FieldNode,
  FragmentDefinitionNode,
  getNamedType,
  getOperationAST,
  GraphQLError,
  GraphQLField,
  GraphQLNamedType,
  GraphQLSchema,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  SelectionSetNode,
  ValidationContext,
  ValueNode,
  type DocumentNode,
} from 'graphql';

export interface Limits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
  maxBatch: number;
  defaultListSize: number;
}

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

// Defaults mirror subgraphs/settings.py; `dcms up` and the tests always pass the real values.
export const limits: Limits = {
  maxDepth: env('DCMS_MAX_DEPTH', 12),
  maxAliases: env('DCMS_MAX_ALIASES', 30),
  maxTokens: env('DCMS_MAX_TOKENS', 2000),
  maxCost: env('DCMS_MAX_COST', 50000),
  maxBatch: env('DCMS_MAX_BATCH', 10),
  defaultListSize: env('DCMS_DEFAULT_LIST_SIZE', 20),
};

const LIMIT_CODE = 'BAD_USER_INPUT';

function limitError(message: string, limit: string, extra: Record<string, unknown> = {}) {
  return new GraphQLError(message, { extensions: { code: LIMIT_CODE, limit, ...extra } });
}

function countAliases(selectionSet: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  let count = 0;
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      if (selection.alias) count += 1;
      count += countAliases(selection.selectionSet, fragments, seen);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countAliases(selection.selectionSet, fragments, seen);
    } else if (!seen.has(selection.name.value)) {
      const fragment = fragments.get(selection.name.value);
      count += countAliases(fragment?.selectionSet, fragments, new Set([...seen, selection.name.value]));
    }
  }
  return count;
}

function fragmentsOf(document: DocumentNode) {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

export function aliasesRule(maxAliases: number) {
  return (context: ValidationContext) => {
    const document = context.getDocument();
    const fragments = fragmentsOf(document);
    let total = 0;
    for (const definition of document.definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION) total += countAliases(definition.selectionSet, fragments, new Set());
    }
    if (total > maxAliases) {
      context.reportError(limitError(`${total} aliases found. Allowed: ${maxAliases}`, 'aliases'));
    }
    return {};
  };
}

// -- cost: every selected field once per object it is resolved on ---------------------------------

function argumentValue(node: FieldNode, field: GraphQLField<unknown, unknown>, name: string, variables: Record<string, unknown>): unknown {
  const argument = node.arguments?.find((a) => a.name.value === name);
  if (!argument) return field.args.find((a) => a.name === name)?.defaultValue;
  return literal(argument.value, variables);
}

function literal(value: ValueNode, variables: Record<string, unknown>): unknown {
  if (value.kind === Kind.VARIABLE) return variables[value.name.value];
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.LIST) return value.values;
  return undefined;
}

export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  defaultListSize: number,
): number {
  const operation = getOperationAST(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return 0;
  const fragments = fragmentsOf(document);

  const factor = (node: FieldNode, field: GraphQLField<unknown, unknown>, parent: GraphQLNamedType): number => {
    if (node.name.value === '_entities') {
      const reps = argumentValue(node, field, 'representations', variables);
      return Array.isArray(reps) ? reps.length : defaultListSize;
    }
    const named = getNamedType(field.type);
    if (named.name.endsWith('Connection') && field.args.some((a) => a.name === 'first')) {
      const first = argumentValue(node, field, 'first', variables);
      return typeof first === 'number' && Number.isInteger(first) ? Math.max(first, 0) : defaultListSize;
    }
    if ((node.name.value === 'edges' || node.name.value === 'nodes') && parent.name.endsWith('Connection')) return 1;
    // a series (Device.telemetry) costs its `points`; its points list is then free
    if (named.name.endsWith('Series') && field.args.some((a) => a.name === 'points')) {
      const points = argumentValue(node, field, 'points', variables);
      return typeof points === 'number' && Number.isInteger(points) ? Math.max(points, 0) : defaultListSize;
    }
    if (node.name.value === 'points' && parent.name.endsWith('Series')) return 1;
    const type = isNonNullType(field.type) ? field.type.ofType : field.type;
    return isListType(type) ? defaultListSize : 1;
  };

  const walk = (selectionSet: SelectionSetNode, parent: GraphQLNamedType, multiplier: number, seen: Set<string>): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        total += multiplier;
        const fields = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields() : {};
        const field = fields[selection.name.value];
        if (field && selection.selectionSet) {
          total += walk(selection.selectionSet, getNamedType(field.type), multiplier * factor(selection, field, parent), seen);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const target = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total += walk(selection.selectionSet, target ?? parent, multiplier, seen);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue;
        const target = schema.getType(fragment.typeCondition.name.value) ?? parent;
        total += walk(fragment.selectionSet, target, multiplier, new Set([...seen, name]));
      }
    }
    return total;
  };
  return walk(operation.selectionSet, root, 1, new Set());
}

// -- the plugin ----------------------------------------------------------------------------------

// Refusals of the built-ins (graphql-armor's depth and tokens, Yoga's batching, disableIntrospection),
// recognised by their messages, get the subgraphs' codes.
const BUILTIN_LIMITS: [string, string, string?][] = [
  ['Syntax Error: Query depth limit', 'depth'],
  ['Syntax Error: Token limit', 'tokens'],
  ['Batching is limited to', 'batch'],
  ['GraphQL introspection has been disabled', 'introspection', 'FORBIDDEN'],
];

function recode(error: any) {
  const message: string = error?.message ?? '';
  const match = BUILTIN_LIMITS.find(([prefix]) => message.startsWith(prefix));
  if (match) {
    error.extensions = { ...(error.extensions ?? {}), code: match[2] ?? LIMIT_CODE, limit: match[1] };
  }
}

function streamsOrSocket(context: any): boolean {
  if (context?.connectionParams !== undefined) return true; // graphql-ws
  const request: Request | undefined = context?.request;
  if (!request) return true;
  if (request.headers.get('upgrade')) return true;
  const accept = request.headers.get('accept') ?? '';
  return accept.includes('text/event-stream') || accept.includes('multipart/mixed');
}

export function useDcmsLimits(limits: Limits) {
  const costError = (args: any): GraphQLError | undefined => {
    const cost = operationCost(args.schema, args.document, args.operationName, args.variableValues ?? {}, limits.defaultListSize);
    if (cost > limits.maxCost) {
      return limitError(`operation cost ${cost} exceeds the maximum of ${limits.maxCost}`, 'cost', { cost, max: limits.maxCost });
    }
    return undefined;
  };
  return {
    onValidate({ addValidationRule }: any) {
      addValidationRule(aliasesRule(limits.maxAliases));
    },
    onExecute({ args, setResultAndStopExecution }: any) {
      const error = costError(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }: any) {
      if (!streamsOrSocket(args.contextValue)) {
        // Refused before any upstream subscription exists (no upstream subscription left open).
        const refusal = new GraphQLError('subscriptions need Accept: text/event-stream (SSE) or a WebSocket', {
          extensions: { code: LIMIT_CODE, limit: 'transport' },
        });
        setResultAndStopExecution({ errors: [refusal] });
        return;
      }
      const error = costError(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onResultProcess({ result }: any) {
      for (const item of Array.isArray(result) ? result : [result]) {
        for (const error of item?.errors ?? []) recode(error);
      }
    },
  };
}
