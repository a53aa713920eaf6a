package org.contextvars4j.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.servlet.ServletWebServerFactory;
import org.springframework.context.annotation.Bean;

/**
 * The servlet load test on Tomcat, Boot's default server. Jetty is on the test class path too, so
 * Tomcat's factory is declared here rather than left to Boot's choice.
 */
@SpringBootTest(classes = {LoadApp.class, TomcatLoadTest.Tomcat.class}, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.banner-mode=off", "spring.task.scheduling.pool.size=2", LoadApp.ALLOW_TENANT})
class TomcatLoadTest extends ServletLoadTestBase {

    @Override
    String serverName() {
        return "Tomcat";
    }

    @Test
    void load_webServer_isTomcat() {
        assertThat(server.getWebServer()).isInstanceOf(TomcatWebServer.class);
    }

    /** Tomcat, whatever else is on the class path. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Tomcat {

        @Bean
        ServletWebServerFactory tomcat() {
            return new TomcatServletWebServerFactory(0);
        }
    }
}
