package io.hogwild.worker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The GPU worker service: holds one model and the shared caches of its sessions, runs each session's lockstep
 * loop on its own thread and streams the events. The engine ({@code io.hogwild.engine}) knows nothing of
 * Spring; everything around it is packaged by feature (model, session, registry, web, metrics).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(WorkerApplication.class, args);
    }
}
