package org.contextvars4j.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.server.servlet.ServletWebServerFactory;
import org.springframework.context.annotation.Bean;

/** The servlet load test on Jetty: its web server factory replaces Tomcat's. */
@SpringBootTest(classes = {LoadApp.class, JettyLoadTest.Jetty.class}, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.banner-mode=off", "spring.task.scheduling.pool.size=2", LoadApp.ALLOW_TENANT})
class JettyLoadTest extends ServletLoadTestBase {

    @Override
    String serverName() {
        return "Jetty";
    }

    @Test
    void load_webServer_isJetty() {
        assertThat(server.getWebServer()).isInstanceOf(JettyWebServer.class);
    }

    /** Jetty instead of Tomcat. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Jetty {

        @Bean
        ServletWebServerFactory jetty() {
            return new JettyServletWebServerFactory(0);
        }
    }
}
