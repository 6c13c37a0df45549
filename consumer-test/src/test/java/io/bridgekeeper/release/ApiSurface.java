package io.bridgekeeper.release;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a class's public API (public and protected members of a public class) mentions that it
 * should not: types from a package named {@code internal}, which carry no compatibility promise
 * and are left out of the javadoc.
 */
final class ApiSurface {
  private ApiSurface() {}

  /** True for a package, or a class's package, with an {@code internal} segment. */
  static boolean isInternal(String packageName) {
    return ("." + packageName + ".").contains(".internal.");
  }

  /** Whether {@code c} is reachable by users: public, and every enclosing class public. */
  static boolean isApi(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass() || k.isSynthetic()) {
        return false;
      }
    }
    return !isInternal(c.getPackageName());
  }

  /** One line per signature element of {@code c}'s API that names an internal type; empty if none. */
  static List<String> internalTypesExposedBy(Class<?> c) {
    List<String> leaks = new ArrayList<>();
    if (!isApi(c)) {
      return leaks;
    }
    check(leaks, c.getName() + " extends", c.getGenericSuperclass());
    for (Type t : c.getGenericInterfaces()) {
      check(leaks, c.getName() + " implements", t);
    }
    for (TypeVariable<?> v : c.getTypeParameters()) {
      check(leaks, c.getName() + " type parameter " + v.getName(), v);
    }
    for (Field f : c.getDeclaredFields()) {
      if (visible(f)) {
        check(leaks, c.getName() + "." + f.getName(), f.getGenericType());
      }
    }
    for (Constructor<?> k : c.getDeclaredConstructors()) {
      if (visible(k)) {
        String where = c.getName() + ".<init>";
        for (Type t : k.getGenericParameterTypes()) {
          check(leaks, where + " parameter", t);
        }
        for (Type t : k.getGenericExceptionTypes()) {
          check(leaks, where + " throws", t);
        }
      }
    }
    for (Method m : c.getDeclaredMethods()) {
      if (visible(m) && !m.isBridge()) {
        String where = c.getName() + "." + m.getName() + "()";
        check(leaks, where + " returns", m.getGenericReturnType());
        for (Type t : m.getGenericParameterTypes()) {
          check(leaks, where + " parameter", t);
        }
        for (Type t : m.getGenericExceptionTypes()) {
          check(leaks, where + " throws", t);
        }
        for (TypeVariable<?> v : m.getTypeParameters()) {
          check(leaks, where + " type parameter " + v.getName(), v);
        }
      }
    }
    return leaks;
  }

  private static boolean visible(Member m) {
    int mod = m.getModifiers();
    return !m.isSynthetic() && (Modifier.isPublic(mod) || Modifier.isProtected(mod));
  }

  private static void check(List<String> leaks, String where, Type type) {
    Set<String> found = new java.util.TreeSet<>();
    collect(type, found, new HashSet<>());
    for (String name : found) {
      leaks.add(where + ": " + name);
    }
  }

  private static void collect(Type t, Set<String> found, Set<Type> seen) {
    if (t == null || !seen.add(t)) {
      return;
    }
    if (t instanceof Class<?> c) {
      while (c.isArray()) {
        c = c.getComponentType();
      }
      if (!c.isPrimitive() && isInternal(c.getPackageName())) {
        found.add(c.getName());
      }
    } else if (t instanceof ParameterizedType p) {
      collect(p.getRawType(), found, seen);
      collect(p.getOwnerType(), found, seen);
      for (Type a : p.getActualTypeArguments()) {
        collect(a, found, seen);
      }
    } else if (t instanceof WildcardType w) {
      for (Type b : w.getUpperBounds()) {
        collect(b, found, seen);
      }
      for (Type b : w.getLowerBounds()) {
        collect(b, found, seen);
      }
    } else if (t instanceof TypeVariable<?> v) {
      for (Type b : v.getBounds()) {
        collect(b, found, seen);
      }
    } else if (t instanceof GenericArrayType g) {
      collect(g.getGenericComponentType(), found, seen);
    }
  }
}
