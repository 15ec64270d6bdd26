/**
 * DynamoDB attribute-based access control (ABAC): the shared control plane reaches an app's table only
 * through its tags (`aws:ResourceTag/slipway:control-plane`), and DynamoDB honours tag conditions only
 * where ABAC is enabled for the account, per Region: "If ABAC isn't enabled for your account, the
 * tag-based conditions in your policies that are intended to act on DynamoDB tables or indexes are
 * evaluated as if no tags are present" (DynamoDB Developer Guide, "Enabling ABAC in DynamoDB",
 * docs.aws.amazon.com/amazondynamodb/latest/developerguide/abac-enable-ddb.html). AWS offers no API that
 * reads the setting: the guide's way is the DynamoDB console's Settings page, seen with the
 * `dynamodb:GetAbacStatus` permission (a permission-only action: the SDK has no such operation). One
 * wording here, for the handlers' errors, the CLI's hints and `slipway doctor`.
 */

/** How a person checks ABAC (the guide's way), in one sentence. */
export const ABAC_CHECK =
  'DynamoDB attribute-based access control must be on in this account and Region (every grant of the control plane on an app table is by tag; with it off, DynamoDB evaluates tag conditions "as if no tags are present"): open the DynamoDB console\'s Settings page with dynamodb:GetAbacStatus; no "Attribute-based access control" card, or the card "On", means it is on (DynamoDB Developer Guide, "Enabling ABAC in DynamoDB")';

/** The hint an AccessDenied on an app's table carries. */
export const ABAC_HINT = `App tables are reached by tag: check that the table is tagged slipway:control-plane=<its cluster> (slipway doctor <app>). ${ABAC_CHECK}`;

/** The short hint the CLI adds to a failure that is a denied app table. */
export const ABAC_SHORT_HINT = 'DynamoDB denied an app table: run slipway doctor <app> (the table\'s tags; DynamoDB attribute-based access control must be on in this account and Region)';

/** The error a handler throws when DynamoDB denies it an app table (a named error, ABAC in its message). */
export const APP_TABLE_ACCESS_DENIED = 'AppTableAccessDenied';

/**
 * Whether an execution's error and cause say DynamoDB denied an app table: a handler's
 * {@link APP_TABLE_ACCESS_DENIED}, or a DynamoDB Task state's `DynamoDB.AccessDeniedException` (Step
 * Functions names a service integration's errors `<service>.<exception>`).
 */
export function isAppTableAccessDenied(error: string | null | undefined, cause: string | null | undefined): boolean {
  if (error === APP_TABLE_ACCESS_DENIED || error === 'DynamoDB.AccessDeniedException') return true;
  return /dynamodb/i.test(cause ?? '') && /AccessDenied/.test(`${error ?? ''} ${cause ?? ''}`);
}
