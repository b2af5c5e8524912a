use nu_plugin::{serve_plugin, MsgPackSerializer};
use nu_plugin_nutorch::NutorchPlugin;

fn main() {
    serve_plugin(&NutorchPlugin::new(), MsgPackSerializer);
}
