use nu_plugin::{serve_plugin, MsgPackSerializer};
use nu_plugin_nutorch::NutorchPlugin;

fn main() {
    let plugin = NutorchPlugin::new();
    serve_plugin(&plugin, MsgPackSerializer);
    // Nushell stopped the plugin (idle GC, `plugin stop`, or the shell exiting): keep every
    // live tensor on disk so that the next plugin process finds it.
    plugin.shutdown();
}
