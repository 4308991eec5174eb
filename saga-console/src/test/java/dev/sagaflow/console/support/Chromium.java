package dev.sagaflow.console.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium, headless, driven by Debian's chromedriver through Selenium: no browser is downloaded
 * (both executables are given, so Selenium Manager is never asked). Paths from {@code SAGAFLOW_CHROMIUM}
 * and {@code SAGAFLOW_CHROMEDRIVER}, by default {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver}
 * (apt-get install chromium chromium-driver). Each browser gets a fresh profile directory, deleted on close.
 */
public final class Chromium implements AutoCloseable {
    public static final String BINARY = env("SAGAFLOW_CHROMIUM", "/usr/bin/chromium");
    public static final String DRIVER = env("SAGAFLOW_CHROMEDRIVER", "/usr/bin/chromedriver");

    private final Path profile;
    private final ChromeDriver driver;
    private final Path screenshots;

    private Chromium(Path screenshots) {
        this.screenshots = screenshots;
        try {
            this.profile = Files.createTempDirectory("sagaflow-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions().setBinary(BINARY).addArguments("--headless=new", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER))
                .usingAnyFreePort().build();
        this.driver = new ChromeDriver(service, options);
    }

    /** Starts a browser that saves screenshots in {@code screenshots}. */
    public static Chromium start(Path screenshots) {
        return new Chromium(screenshots);
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** What is missing to run a browser, or an empty list. */
    public static List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (!Files.isExecutable(Path.of(BINARY))) {
            problems.add("Chromium is not at " + BINARY);
        }
        if (!Files.isExecutable(Path.of(DRIVER))) {
            problems.add("chromedriver is not at " + DRIVER);
        }
        return problems;
    }

    /** Saves the whole page (not only the window) as {@code name}.png and returns the file. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(screenshots);
            Path file = screenshots.resolve(name + ".png");
            byte[] png;
            try {
                Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot",
                        Map.of("format", "png", "captureBeyondViewport", true));
                png = Base64.getDecoder().decode((String) shot.get("data"));
            } catch (RuntimeException e) {
                png = driver.getScreenshotAs(OutputType.BYTES); // the window only
            }
            Files.write(file, png);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Saves what the window shows (1280 × 1000) as {@code name}.png and returns the file. */
    public Path windowScreenshot(String name) {
        try {
            Files.createDirectories(screenshots);
            Path file = screenshots.resolve(name + ".png");
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary directory left behind is harmless
            }
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
