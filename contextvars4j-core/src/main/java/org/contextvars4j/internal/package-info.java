/**
 * The core's machinery: the persistent map of a context's variables, and {@link
 * org.contextvars4j.internal.Bridges}, the per-context answers of this project's bridges. Not
 * exported, but to the bridges' modules; not an API.
 */
package org.contextvars4j.internal;
