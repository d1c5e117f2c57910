/**
 * The code the parts hand the core: what a site loads only where its config names it (engaged time's steps in the
 * input part, a landing page's reading of its link in the links part, when the server's copy is renewed in the copy
 * part). It is kept here, beside the step table, not in the model: a `part` input names the part that came (plain
 * data, so that a log replays), and the core calls its code only once the model says it came.
 */
import type { copyDue } from './session/copy';
import type { EngageSteps } from './engaged/engagement';
import type { land } from './session/landing';
import type { Model } from './model';

export interface PartCode {
  engagement: EngageSteps;
  landing: typeof land;
  copy: typeof copyDue;
}

export type PartName = keyof PartCode;

const PARTS: Partial<PartCode> = {};

/** Keeps a part's code (the shell, as the part hands it over; a replay, as its test imports it). */
export const keepPart = <N extends PartName>(name: N, code: PartCode[N]): void => void (PARTS[name] = code);

/** A part's code, once the model says it has come (undefined before, and where the config does not name it). */
export const partOf = <N extends PartName>(m: Model, name: N): PartCode[N] | undefined =>
  m.parts.includes(name) ? PARTS[name] : undefined;
