// The registry of flow actions. The flow schema (flows/schema.ts), the load-time checks (flows/check.ts), the
// diagram and the engine's `act` are all built from it, so an action exists everywhere once it is listed here.
import { z } from 'zod';
import type { ActionCheck, ActionDef, ActionRun } from './action.ts';
import { answerTransfer } from './answer-transfer.ts';
import { caseStatus } from './case-status.ts';
import { clear } from './clear.ts';
import { eraseMyData } from './erase-my-data.ts';
import { findPartner } from './find-partner.ts';
import { listSubscriptions } from './list-subscriptions.ts';
import { pause } from './pause.ts';
import { playAudio } from './play-audio.ts';
import { refer } from './refer.ts';
import { relayToStaff } from './relay-to-staff.ts';
import { searchFaq } from './search-faq.ts';
import { set } from './set.ts';
import { setLanguage } from './set-language.ts';
import { showContacts } from './show-contacts.ts';
import { showEmergency } from './show-emergency.ts';
import { showFaq } from './show-faq.ts';
import { subscribe } from './subscribe.ts';
import { unsubscribe } from './unsubscribe.ts';

export type { ActionCheck, ActionRun } from './action.ts';

export const ACTIONS = {
  show_faq: showFaq,
  search_faq: searchFaq,
  show_contacts: showContacts,
  show_emergency: showEmergency,
  refer,
  find_partner: findPartner,
  list_subscriptions: listSubscriptions,
  subscribe,
  unsubscribe,
  set_language: setLanguage,
  erase_my_data: eraseMyData,
  pause,
  case_status: caseStatus,
  relay_to_staff: relayToStaff,
  answer_transfer: answerTransfer,
  play_audio: playAudio,
  set,
  clear,
} as const satisfies { [K in string]: ActionDef<K, z.ZodType> };

export type ActionName = keyof typeof ACTIONS;
export const ACTION_NAMES = Object.keys(ACTIONS) as ActionName[];
export type ActionValue<K extends ActionName> = z.output<(typeof ACTIONS)[K]['schema']>;
/** One action of a node's `do` list: `{ <name>: <value> }`. */
export type FlowAction = { [K in ActionName]: { [P in K]: ActionValue<K> } }[ActionName];

type AnyActionDef = ActionDef<string, z.ZodType>;
const definitions = ACTIONS as Record<ActionName, AnyActionDef>;

export const ActionSchema = z.union(
  ACTION_NAMES.map((name) =>
    z
      .object({ [name]: definitions[name].schema })
      .strict()
      .describe(definitions[name].description),
  ) as unknown as [z.ZodType<FlowAction>, z.ZodType<FlowAction>, ...z.ZodType<FlowAction>[]],
);

export function actionName(action: FlowAction): ActionName {
  return Object.keys(action)[0] as ActionName;
}

function actionValue(action: FlowAction): unknown {
  return (action as Record<string, unknown>)[actionName(action)];
}

export function runAction(action: FlowAction, ctx: ActionRun): void {
  definitions[actionName(action)].run(actionValue(action), ctx);
}

export function checkAction(action: FlowAction, ctx: ActionCheck): void {
  definitions[actionName(action)].check?.(actionValue(action), ctx);
}
