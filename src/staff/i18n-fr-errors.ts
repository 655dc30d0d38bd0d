// French texts of the console's error pages, expired forms, accessibility aids and the words shown instead of codes.
export const ERRORS_FRENCH: Record<string, string> = {
  // Error page titles
  'This could not be done': 'Cela n’a pas pu se faire',
  'Please log in again': 'Reconnectez-vous',
  'Not allowed': 'Accès refusé',
  'Page not found': 'Page introuvable',
  'Open this from a page': 'À ouvrir depuis une page',
  'Too large': 'Trop volumineux',
  'Too many attempts': 'Trop d’essais',
  'Something went wrong': 'Un problème est survenu',
  'Not available right now': 'Indisponible pour le moment',
  // What happened, when the route said nothing more
  'Check what you typed and try again.': 'Vérifiez ce que vous avez saisi et recommencez.',
  'You are not logged in any more (for your safety, a session ends after a while). Nothing was saved.':
    'Vous n’êtes plus connecté (par sécurité, une session se termine au bout d’un moment). Rien n’a été enregistré.',
  'Your account may not open this.': 'Votre compte ne peut pas ouvrir ceci.',
  'This address does not exist in the console. It may have been mistyped, or the item was removed.':
    'Cette adresse n’existe pas dans la console. Elle a peut-être été mal tapée, ou l’élément a été supprimé.',
  'This address works only from a button on a page of the console.':
    'Cette adresse ne s’ouvre pas directement : elle sert à un bouton d’une page de la console.',
  'Something changed in the meantime. Go back, reload the page and try again.':
    'Quelque chose a changé entre-temps. Revenez en arrière, rechargez la page et recommencez.',
  'What you sent is too large.': 'Ce que vous avez envoyé est trop volumineux.',
  'Wait a few minutes and try again.': 'Attendez quelques minutes et recommencez.',
  'The console could not finish this. What you did may not be saved: go back and try again. If it happens again, tell an administrator.':
    'La console n’a pas pu terminer. Ce que vous avez fait n’est peut-être pas enregistré : revenez en arrière et recommencez. Si cela se reproduit, prévenez un administrateur.',
  'Try again in a few minutes.': 'Réessayez dans quelques minutes.',
  // Ways on
  'Back to the page': 'Revenir à la page',
  'Go to the cases': 'Aller aux dossiers',
  'Back to the console': 'Retour à la console',
  'Skip to the content': 'Aller au contenu',
  // Forms left open too long, texts that could not go
  'This page was open a long time, so for your safety it was renewed. Please log in again.':
    'Cette page est restée ouverte longtemps : par sécurité, elle a été renouvelée. Connectez-vous à nouveau.',
  'This page was open a long time, so for your safety it was renewed. Please type your password again.':
    'Cette page est restée ouverte longtemps : par sécurité, elle a été renouvelée. Tapez à nouveau votre mot de passe.',
  'Your text, not sent (copy it if you need it):': 'Votre texte, non envoyé (copiez-le si besoin) :',
  // Words instead of codes
  'Terminal chat': 'Conversation dans le terminal',
  Messages: 'Messages',
  'receiving messages (the bot asks Telegram for them)': 'reçoit les messages (le bot les demande à Telegram)',
  'receiving messages (Telegram sends them to this server)': 'reçoit les messages (Telegram les envoie à ce serveur)',
  'not receiving messages (the bot is not started)': 'ne reçoit pas de messages (le bot n’est pas démarré)',
  // Bull Board's icon buttons
  'Redis server details': 'Détails du serveur Redis',
  Button: 'Bouton',
  'Full screen': 'Plein écran',
  'Leave full screen': 'Quitter le plein écran',
  Settings: 'Réglages',
  'More actions': 'Plus d’actions',
  Menu: 'Menu',
  'Show more': 'Afficher plus',
  'Show less': 'Afficher moins',
  Previous: 'Précédent',
  Next: 'Suivant',
  Refresh: 'Actualiser',
  Delete: 'Supprimer',
  Resume: 'Reprendre',
  Pause: 'Mettre en pause',
  Close: 'Fermer',
  Search: 'Rechercher',
  'Light theme': 'Thème clair',
  'Dark theme': 'Thème sombre',
  Copy: 'Copier',
  Documentation: 'Documentation',
  Help: 'Aide',
};
