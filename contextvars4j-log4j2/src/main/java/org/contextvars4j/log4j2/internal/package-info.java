/**
 * Machinery of {@code org.contextvars4j.log4j2} that Log4j must instantiate by service loading;
 * not exported, not an API.
 */
package org.contextvars4j.log4j2.internal;
