/** The CloudTrail helpers live with the connection model (`macro/connections/cloudtrail.ts`); rules import them from here too. */
export { ACCOUNT_TRAILS, sourceConditions, trailArn, trailBucket, trailSourceArn, type SourceConditions } from '../../connections/cloudtrail';
