package io.ollamaflow.examples.spring;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Stands for the application's own endpoints, served by Spring MVC beside the cluster. */
@RestController
class HelloController {
  @GetMapping("/hello")
  String hello() {
    return "hello from the Spring application";
  }
}
