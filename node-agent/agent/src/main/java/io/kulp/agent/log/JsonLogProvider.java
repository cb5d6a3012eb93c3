package io.kulp.agent.log;

import io.kulp.api.KulpConstants;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * SLF4J provider that writes one JSON object per line to stderr: the agent's own events and the
 * Kubernetes client's. Chosen explicitly by the agent's launcher with
 * {@code -Dslf4j.provider=io.kulp.agent.log.JsonLogProvider} (it is deliberately not registered
 * as a service, so nothing else that has node-agent on its class path picks it up). The level
 * comes from {@link KulpConstants#ENV_LOG_LEVEL}.
 */
public final class JsonLogProvider implements SLF4JServiceProvider {

  private ILoggerFactory factory;
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {
    factory = new JsonLoggerFactory(LogLevel.parse(System.getenv(KulpConstants.ENV_LOG_LEVEL)), System.err);
  }
}
