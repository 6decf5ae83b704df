package io.hogwild.gateway.console;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import java.net.URI;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.config.ResourceHandlerRegistry;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The console: a static single-page app in this jar ({@code classpath:/console/}) served at {@code /console/}. The
 * page itself holds no data and is open; everything it shows comes from the admin and run APIs, called with the admin
 * key the user types in. {@code no-cache} lets browsers keep the files but revalidate them (Last-Modified), so a new
 * gateway version is picked up at the next load.
 */
@Configuration(proxyBeanMethods = false)
public class ConsoleConfiguration implements WebFluxConfigurer {

    /** The console's URL path (the page is at {@code /console/}, its files below it). */
    public static final String PATH = "/console";

    private static final String LOCATION = "classpath:/console/";

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler(PATH + "/**").addResourceLocations(LOCATION)
                .setCacheControl(CacheControl.noCache());
    }

    @Bean
    RouterFunction<ServerResponse> consolePage() {
        Resource index = new ClassPathResource("console/index.html");
        // Relative redirect: the page's relative asset URLs then resolve under /console/ even behind a path prefix.
        return route(GET(PATH), request -> ServerResponse.permanentRedirect(URI.create("console/")).build())
                .andRoute(GET(PATH + "/"), request -> ServerResponse.ok().contentType(MediaType.TEXT_HTML)
                        .cacheControl(CacheControl.noCache()).bodyValue(index));
    }
}
