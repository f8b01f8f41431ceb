/* WebKitGTK's own memory floor, for `make bench` (scripts/bench-app.sh):
 * a window of the app's size showing a two-line page, with GL kept out of
 * the window process the way src-tauri/src/window_gl.rs does it. What the
 * app costs above this is ours; this much is the engine's.
 * Prints the same "startup: desk interactive" line as the app once the
 * page has loaded. */
#include <EGL/egl.h>
#include <gtk/gtk.h>
#include <stdio.h>
#include <stdlib.h>
#include <webkit2/webkit2.h>

static void on_load(WebKitWebView *view, WebKitLoadEvent event, gpointer unused) {
    if (event == WEBKIT_LOAD_FINISHED)
        fprintf(stderr, "startup: desk interactive at %lld\n",
                (long long)(g_get_real_time() / 1000));
}

int main(int argc, char **argv) {
    setenv("GDK_GL", "disable", 1);
    setenv("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent", 1);
    eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
    unsetenv("__EGL_VENDOR_LIBRARY_FILENAMES");

    gtk_init(&argc, &argv);
    GtkWidget *window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
    gtk_window_set_default_size(GTK_WINDOW(window), 1200, 800);
    GtkWidget *view = webkit_web_view_new();
    g_signal_connect(view, "load-changed", G_CALLBACK(on_load), NULL);
    gtk_container_add(GTK_CONTAINER(window), view);
    webkit_web_view_load_html(WEBKIT_WEB_VIEW(view),
                              "<h1>OathDesk</h1><p>An empty page.</p>", NULL);
    gtk_widget_show_all(window);
    gtk_main();
    return 0;
}
