import { randomBytes } from 'node:crypto';

const ADJECTIVES = ['amber', 'bold', 'brave', 'bright', 'calm', 'clever', 'cool', 'crisp', 'eager', 'gentle', 'good', 'happy', 'jolly', 'keen', 'kind', 'lively', 'lucid', 'mellow', 'neat', 'nimble', 'plucky', 'quick', 'quiet', 'sharp', 'shy', 'sleek', 'stoic', 'sunny', 'swift', 'tidy', 'vivid', 'witty', 'zen'];
const NOUNS = ['apple', 'badger', 'basil', 'beacon', 'cactus', 'canyon', 'cedar', 'comet', 'coral', 'falcon', 'fern', 'garden', 'glacier', 'harbor', 'heron', 'island', 'lamp', 'lemon', 'lime', 'maple', 'meadow', 'nectar', 'otter', 'pepper', 'pine', 'plum', 'quail', 'river', 'rocket', 'sail', 'spoon', 'tiger', 'tomato', 'tulip', 'wave', 'willow'];
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

const pick = <T>(list: readonly T[], byte: number): T => list[byte % list.length]!;

/** A job name as Azure ML makes them: adjective_noun_suffix (also a valid MLflow run id). */
export function generateRunName(): string {
  const b = randomBytes(10);
  let suffix = '';
  for (let i = 2; i < 10; i++) suffix += ALPHABET[b[i]! % ALPHABET.length];
  return `${pick(ADJECTIVES, b[0]!)}_${pick(NOUNS, b[1]!)}_${suffix}`;
}
