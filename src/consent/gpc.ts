/** Whether the browser sends Global Privacy Control (https://privacycg.github.io/gpc-spec/): it counts as a refusal. */
export const globalPrivacyControl = (): boolean =>
  (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
