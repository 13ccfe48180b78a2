package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Core's public API never hands out or asks for a type of an {@code internal} package: what a
 * host can call is exactly what the javadoc of the public packages documents, and internal types
 * stay free to change. Checked over core's compiled classes, every public or protected
 * constructor, method and field of every public class outside {@code internal}.
 */
class PublicApiBoundaryTest {
  private static final String INTERNAL = ".internal";

  @Test
  void noPublicSignatureOfCoreNamesAnInternalType() throws Exception {
    List<String> leaks = new ArrayList<>();
    for (Class<?> type : publicClassesOutsideInternal()) {
      for (Constructor<?> constructor : type.getDeclaredConstructors()) {
        if (exposed(constructor.getModifiers())) check(type, constructor, leaks);
      }
      // Public methods inherited from a class that is not public are callable through this one too.
      Set<Method> methods = new HashSet<>(List.of(type.getMethods()));
      methods.addAll(List.of(type.getDeclaredMethods()));
      for (Method method : methods) {
        if (exposed(method.getModifiers()) && !method.isSynthetic()) {
          check(type, method, leaks);
          mentions(method.getGenericReturnType(), type.getName() + "." + method.getName() + " returns", leaks);
        }
      }
      for (Field field : type.getDeclaredFields()) {
        if (exposed(field.getModifiers()) && !field.isSynthetic()) {
          mentions(field.getGenericType(), type.getName() + "." + field.getName(), leaks);
        }
      }
      for (TypeVariable<?> parameter : type.getTypeParameters()) mentions(parameter, type.getName() + "<" + parameter + ">", leaks);
      if (type.getGenericSuperclass() != null) mentions(type.getGenericSuperclass(), type.getName() + " extends", leaks);
      for (Type implemented : type.getGenericInterfaces()) mentions(implemented, type.getName() + " implements", leaks);
    }
    assertThat(leaks).as("public signatures naming internal types").isEmpty();
  }

  @Test
  void theCheckFindsAnInternalTypeInASignature() throws Exception {
    List<String> leaks = new ArrayList<>();
    check(Leaky.class, Leaky.class.getDeclaredMethod("take", io.ollamaflow.core.internal.BackendClients.class), leaks);
    assertThat(leaks).singleElement().asString().contains("io.ollamaflow.core.internal.BackendClients");
  }

  /** A public signature that leaks, to show the check can fail. */
  public static final class Leaky {
    public void take(io.ollamaflow.core.internal.BackendClients threads) {}
  }

  private static boolean exposed(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static void check(Class<?> owner, Executable executable, List<String> leaks) {
    String where = owner.getName() + "." + executable.getName();
    for (Type parameter : executable.getGenericParameterTypes()) mentions(parameter, where + " takes", leaks);
    for (Type thrown : executable.getGenericExceptionTypes()) mentions(thrown, where + " throws", leaks);
    for (TypeVariable<?> parameter : executable.getTypeParameters()) mentions(parameter, where + " <" + parameter + ">", leaks);
  }

  private static void mentions(Type type, String where, List<String> leaks) {
    mentions(type, where, leaks, new HashSet<>());
  }

  /** {@code seen} holds the type variables already followed: a bound may name its own variable. */
  private static void mentions(Type type, String where, List<String> leaks, Set<TypeVariable<?>> seen) {
    if (type instanceof Class<?> c) {
      Class<?> named = c;
      while (named.isArray()) named = named.getComponentType();
      if (named.getName().contains(INTERNAL)) leaks.add(where + " " + named.getName());
    } else if (type instanceof ParameterizedType p) {
      mentions(p.getRawType(), where, leaks, seen);
      for (Type argument : p.getActualTypeArguments()) mentions(argument, where, leaks, seen);
    } else if (type instanceof GenericArrayType array) {
      mentions(array.getGenericComponentType(), where, leaks, seen);
    } else if (type instanceof WildcardType wildcard) {
      for (Type bound : wildcard.getUpperBounds()) mentions(bound, where, leaks, seen);
      for (Type bound : wildcard.getLowerBounds()) mentions(bound, where, leaks, seen);
    } else if (type instanceof TypeVariable<?> variable && seen.add(variable)) {
      for (Type bound : variable.getBounds()) mentions(bound, where, leaks, seen);
    }
  }

  /** Core's public classes (nested ones included) outside internal packages, from its compiled classes. */
  private static List<Class<?>> publicClassesOutsideInternal() throws IOException, URISyntaxException {
    URL flowCluster = FlowCluster.class.getResource("FlowCluster.class");
    Path root = Path.of(flowCluster.toURI()).getParent().getParent().getParent().getParent();
    TreeSet<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.walk(root.resolve("io/ollamaflow/core"))) {
      files.map(root::relativize).map(Path::toString).filter(name -> name.endsWith(".class"))
          .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.'))
          .filter(name -> !name.contains(INTERNAL))
          .forEach(names::add);
    }
    List<Class<?>> classes = new ArrayList<>();
    for (String name : names) {
      Class<?> type;
      try {
        type = Class.forName(name, false, PublicApiBoundaryTest.class.getClassLoader());
      } catch (ClassNotFoundException | NoClassDefFoundError e) {
        throw new AssertionError("cannot load " + name, e);
      }
      if (isReachable(type)) classes.add(type);
    }
    assertThat(classes).as("core's public classes").hasSizeGreaterThan(20).contains(FlowCluster.class);
    return classes;
  }

  /** Public, and so are the classes it is nested in. */
  private static boolean isReachable(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getDeclaringClass()) {
      if (!Modifier.isPublic(c.getModifiers()) || c.isAnonymousClass() || c.isSynthetic()) return false;
    }
    return true;
  }
}
