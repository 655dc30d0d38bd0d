// Typed answers (a number, a phone number, a text) read from what the person wrote, or null when it does not fit.
import type { FlowAsk } from '../flows/schema.ts';
import { normalizeText } from './text.ts';

/** Longest typed text answer when the question sets no `max_length`. */
export const MAX_TYPED_TEXT = 500;

export function typedValue(ask: FlowAsk, text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  switch (ask.type) {
    case 'number': {
      const digits = normalizeText(trimmed);
      if (!/^\d{1,9}$/.test(digits)) return null;
      const n = Number(digits);
      if ((ask.min !== undefined && n < ask.min) || (ask.max !== undefined && n > ask.max)) return null;
      return String(n);
    }
    case 'phone': {
      const compact = trimmed.replace(/[\s().-]/g, '').replace(/^00/, '+');
      return /^\+?\d{8,15}$/.test(compact) ? compact : null;
    }
    default: {
      const max = ask.max_length ?? MAX_TYPED_TEXT;
      return trimmed.length <= max ? trimmed : null;
    }
  }
}
