/** The S3 notification helpers live with the connection model (`macro/connections/s3-notifications.ts`); rules import them from here too. */
export { DESTINATIONS, bucketArnFromName, bucketNameText, destinationValues, namesBucketArn, S3_PRINCIPAL, whyNameUnknown, type DestinationKind, type DestinationValue } from '../../connections/s3-notifications';
