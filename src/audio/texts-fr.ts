// French words for the problems with a recording (AudioError), shared by the console and /record on Telegram.
import type { AudioError } from './convert.ts';

export const AUDIO_FRENCH: Record<string, string> = {
  'The file is empty.': 'Le fichier est vide.',
  'The file is too large ({size} MB); the most is {max} MB.':
    'Le fichier est trop gros ({size} Mo) ; {max} Mo au plus.',
  'The recording is too short ({seconds} s): nothing was said.':
    'L’enregistrement est trop court ({seconds} s) : rien n’a été dit.',
  'The recording is too long ({seconds} s); the most is {max} s. Aim for about one minute.':
    'L’enregistrement est trop long ({seconds} s) ; {max} s au plus. Visez environ une minute.',
  'This is not an OGG/Opus voice note.': 'Ce n’est pas un message vocal OGG/Opus.',
  'Send an audio file: {formats}.': 'Envoyez un fichier audio : {formats}.',
  'This file could not be read as audio.': 'Ce fichier n’a pas pu être lu comme de l’audio.',
  'This file could not be read as audio (ogg, opus, mp3, m4a or wav).':
    'Ce fichier n’a pas pu être lu comme de l’audio (ogg, opus, mp3, m4a ou wav).',
  'ffmpeg is not installed ({command} not found): install the Debian package ffmpeg to convert uploads.':
    'ffmpeg n’est pas installé ({command} introuvable) : installez le paquet Debian ffmpeg pour convertir les fichiers.',
};

/** The problem in French, with its numbers filled in. */
export function audioErrorInFrench(err: AudioError): string {
  const text = AUDIO_FRENCH[err.text] ?? err.text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => String(err.params[name] ?? m));
}
