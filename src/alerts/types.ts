// Types and constants shared by the alerts modules, in a leaf every one of them may import (no import cycles).

/** Region recorded when a subscription names none: alerts for every region. */
export const ALL_REGIONS = 'all';

export type FanoutJob = { alertId: string };

/** `to`: the pair pseudonym; the person is looked up in the alert's recipients hash when the job runs. */
export type SendJob = { alertId: string; to: string };
