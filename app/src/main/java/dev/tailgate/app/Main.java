package dev.tailgate.app;

/** Launcher entry point (skeleton). */
public final class Main {
    public static void main(String[] args) {
        System.out.println("tailgate 0.1.0-SNAPSHOT");
    }
}
