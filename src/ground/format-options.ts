/** Public types of the pipelines' wire formats, what `snowplow()`, `tracardi()` and `otlp()` take and make. */

/**
 * A pipeline's wire format, made by `snowplow()` ('stint/snowplow'), `tracardi()` ('stint/tracardi') or `otlp()`
 * ('stint/otlp').
 */
export interface WireFormat {
  readonly path: string;
}

export interface SnowplowOptions {
  /**
   * Replaces the tracker protocol's path (default `/com.snowplowanalytics.snowplow/tp2`), as Snowplow's own
   * `postPath` does: for a first-party proxy, or a collector configured with custom paths.
   */
  postPath?: string;
}

export interface TracardiOptions {
  /** The id of the REST event source configured in Tracardi for this site. */
  sourceId: string;
}

export interface OtlpOptions {
  /**
   * Replaces the path joined to the collector URL (default `/v1/logs`), as the receiver's `logs_url_path` does.
   */
  logsPath?: string;
  /**
   * Headers for every request (a collector behind auth). A beacon cannot carry headers: with them, what a
   * leaving page sends goes by keepalive fetch. The receiver's CORS `allowed_headers` must name each of them
   * and `Content-Type`.
   */
  headers?: Record<string, string>;
  /**
   * Resource attributes besides Stint's (`service.name`: the app id, `service.version`: the app version,
   * `telemetry.sdk.*`), e.g. `{ 'deployment.environment.name': 'production' }`.
   */
  resource?: Record<string, string | number | boolean>;
}
