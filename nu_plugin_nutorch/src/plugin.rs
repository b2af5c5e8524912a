//! The plugin object: owns the tensor store and answers Nushell's custom-value hooks.

use crate::errors::At;
use crate::grad_mode::GradMode;
use crate::settings::store_config;
use crate::tensor_value::TensorValue;
use nu_plugin::{EngineInterface, Plugin, PluginCommand};
use nu_protocol::{CustomValue, LabeledError, Span, Spanned, Value};
use nutorch_core::tch::Tensor;
use nutorch_core::{Result, TensorInfo};
use nutorch_store::{Store, StoreConfig};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

pub struct NutorchPlugin {
    /// Created on first use: by then the engine can tell the plugin's settings
    /// (`$env.config.plugins.nutorch`).
    store: OnceLock<Arc<Store>>,
    /// A fixed configuration (tests); `None` reads the settings.
    fixed_config: Option<StoreConfig>,
    /// Whether ops run with gradient tracking (`nutorch no-grad { ... }`).
    grad_mode: GradMode,
    /// Whether Nushell may stop this process; shared with the idle spiller's thread.
    gc: Arc<Gc>,
}

/// What this process last told Nushell through `set_gc_disabled` (a new process starts with
/// the GC allowed to stop it), and the engine to tell it through outside a command (the idle
/// spiller, when a write fails or succeeds again).
#[derive(Default)]
struct Gc {
    disabled: AtomicBool,
    engine: Mutex<Option<EngineInterface>>,
}

impl Gc {
    /// Asks Nushell not to stop this process while the store holds what a restart would lose
    /// (`Store::keep_alive`), and allows it again once it holds nothing of the kind. Looks at
    /// every stored tensor: for the idle spiller and `nutorch store`.
    fn update(&self, store: &Store, engine: Option<&EngineInterface>) {
        self.set(store.needs_keep_alive(), engine);
    }

    /// [`Gc::update`] at the end of a command, from what the command did
    /// (`Store::keep_alive_hint`): a cost that does not grow with the stored tensors. Letting
    /// the process go after graphs were dropped without a backward waits for the idle
    /// spiller's `update`, a second after the last command.
    fn update_after_command(&self, store: &Store, engine: &EngineInterface) {
        if let Some(wanted) = store.keep_alive_hint() {
            self.set(wanted, Some(engine));
        }
    }

    fn set(&self, wanted: bool, engine: Option<&EngineInterface>) {
        if self.disabled.load(Ordering::SeqCst) == wanted {
            return;
        }
        let saved = self.engine.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(engine) = engine.or(saved.as_ref()) {
            if engine.set_gc_disabled(wanted).is_ok() {
                self.disabled.store(wanted, Ordering::SeqCst);
            }
        }
    }
}

impl Default for NutorchPlugin {
    fn default() -> Self {
        Self::new()
    }
}

impl NutorchPlugin {
    pub fn new() -> Self {
        NutorchPlugin {
            store: OnceLock::new(),
            fixed_config: None,
            grad_mode: GradMode::default(),
            gc: Arc::new(Gc::default()),
        }
    }

    /// A plugin whose store uses `config` instead of the user's settings.
    pub fn with_store_config(config: StoreConfig) -> Self {
        NutorchPlugin { fixed_config: Some(config), ..Self::new() }
    }

    /// Opens the store with the settings the engine gives (once per process).
    pub(crate) fn configure(&self, engine: &EngineInterface) {
        self.store.get_or_init(|| {
            *self.gc.engine.lock().unwrap_or_else(|p| p.into_inner()) = Some(engine.clone());
            self.open_store(Some(engine))
        });
    }

    fn open_store(&self, engine: Option<&EngineInterface>) -> Arc<Store> {
        let config = match &self.fixed_config {
            Some(config) => config.clone(),
            None => store_config(engine.and_then(|e| e.get_plugin_config().ok().flatten()).as_ref()),
        };
        let store = Arc::new(Store::open(config));
        // What the last process of this shell left: the random generators continue where
        // they were, grad mode is as it was set.
        match store.restore_session() {
            Ok(session) => self.grad_mode.set_enabled(session.grad_enabled),
            Err(e) => eprintln!("nutorch: could not restore the random state and grad mode: {e}"),
        }
        // A failed background write keeps the plugin alive at once (not only at the next
        // command: Nushell's GC may stop an idle plugin before one comes), a successful one
        // lets it go again.
        let gc = Arc::clone(&self.gc);
        store.on_background_spill(move |store| gc.update(store, None));
        store.start_idle_spiller();
        store
    }

    /// Runs a command or a custom-value hook: the store opened with the engine's settings and
    /// marked busy while `body` runs (the idle spill waits), and a panic in `body` turned into
    /// an error labelled at `span` (the plugin and its tensors survive it).
    pub(crate) fn run_guarded<T>(
        &self,
        engine: &EngineInterface,
        span: Span,
        body: impl FnOnce() -> std::result::Result<T, LabeledError>,
    ) -> std::result::Result<T, LabeledError> {
        let result = crate::guard::guard(span, || {
            self.configure(engine);
            let _active = self.store().command();
            self.report_write_failure();
            body()
        });
        self.keep_alive_if_needed(engine);
        result
    }

    /// Tells Nushell not to stop this process while it holds state that a restart would
    /// lose (autograd graphs, see `Store::keep_alive`), and allows it again once there is none.
    /// Called at the end of every command and custom-value hook.
    pub fn keep_alive_if_needed(&self, engine: &EngineInterface) {
        let Some(store) = self.store.get() else { return };
        self.gc.update_after_command(store, engine);
    }

    /// [`NutorchPlugin::keep_alive_if_needed`] from every stored tensor, not only from what
    /// the last commands did (`nutorch store` reports the result).
    pub fn refresh_keep_alive(&self, engine: &EngineInterface) {
        let Some(store) = self.store.get() else { return };
        self.gc.update(store, Some(engine));
    }

    /// Whether this process asked Nushell not to stop it.
    pub fn gc_disabled(&self) -> bool {
        self.gc.disabled.load(Ordering::SeqCst)
    }

    /// Tells the user, once, at the command after it, that a write to the store failed in
    /// the background (or that the last process could not write everything before it
    /// stopped). The plugin API has no warnings; the plugin's stderr is the terminal's, and
    /// printing it as the next command starts puts it right above that command's output.
    /// `nutorch store` keeps saying it (`write_error`, `kept_alive_because`) while it lasts.
    fn report_write_failure(&self) {
        if let Some(message) = self.store().take_unreported_failure() {
            eprintln!(
                "nutorch: warning: {message}\n\
                 nutorch: tensors not yet written stay in memory and the plugin is kept running until a \
                 write succeeds; `nutorch store | get write_error kept_alive_because` says more"
            );
        }
    }

    /// An error for using state of `id` that a restart lost: its autograd graph (for
    /// `graph_op`s: backward, is_leaf, grad_fn, ...) or its aliasing with other tensors (for
    /// in-place writes).
    pub fn check_restored(&self, id: &str, graph_op: bool, in_place: bool) -> Result<()> {
        if graph_op {
            self.store().check_graph(id)?;
        }
        if in_place {
            self.store().check_aliasing(id)?;
        }
        Ok(())
    }

    /// The plugin-wide no-grad state that every op honours.
    pub(crate) fn grad_mode(&self) -> &GradMode {
        &self.grad_mode
    }

    pub fn store(&self) -> &Arc<Store> {
        self.store.get_or_init(|| self.open_store(None))
    }

    /// The tensor stored under `id` (reloaded from disk after a restart).
    pub(crate) fn tensor(&self, id: &str) -> Result<Tensor> {
        self.store().get(id)
    }

    /// Stores a new tensor and returns the value that Nushell will hold for it.
    pub(crate) fn tensor_value(&self, tensor: Tensor, span: Span) -> std::result::Result<Value, LabeledError> {
        // A sparse tensor (the gradient of an embedding with --sparse) could be neither shown,
        // read back nor spilled: it is refused here, where every new tensor passes.
        if tensor.is_sparse() {
            return Err(
                LabeledError::new("Invalid value").with_label(nutorch_core::catalog::sparse::SPARSE_UNSUPPORTED, span)
            );
        }
        let info = TensorInfo::of(&tensor).at(span)?;
        let store = self.store();
        let id = store.insert(tensor);
        store.retain(&id).at(span)?;
        Ok(TensorValue::new(id, &info).into_value(span))
    }

    /// A new Nushell value for a tensor that is already stored (e.g. returned after an
    /// in-place change): it counts as one more reference.
    pub(crate) fn existing_tensor_value(&self, id: &str, span: Span) -> std::result::Result<Value, LabeledError> {
        let store = self.store();
        let tensor = store.get(id).at(span)?;
        let info = TensorInfo::of(&tensor).at(span)?;
        store.retain(id).at(span)?;
        Ok(TensorValue::new(id.to_string(), &info).into_value(span))
    }

    /// What Nushell shows for a tensor: PyTorch's `repr(t)` of the stored tensor as it is now
    /// (it may have changed in place, e.g. requires_grad). A tensor that cannot be read shows
    /// its carried shape and dtype and why.
    fn display(&self, tensor_value: &TensorValue) -> String {
        let text = self.tensor(&tensor_value.id).and_then(|tensor| nutorch_core::repr::repr(&tensor));
        text.unwrap_or_else(|e| format!("{} <unavailable: {e}>", tensor_value.placeholder()))
    }

    /// Writes live tensors to disk before the process ends (Nushell stopped the plugin).
    /// A failure is loud: the process is ending and what it could not write is lost, so
    /// stderr says which tensors, and the index records it (space permitting) for the next
    /// process of this shell to report at its first command; using such a tensor then says
    /// it was never written, or that its last changes were lost.
    pub fn shutdown(&self) {
        if let Some(store) = self.store.get() {
            if let Err(e) = store.spill_before_stop() {
                eprintln!(
                    "nutorch: ERROR: the plugin is stopping and could not write tensors to the store: {e}\n\
                     nutorch: their latest data are lost; using them after the restart says so. Free space in \
                     {} and keep the plugin running next time (it is kept alive while writes fail, but \
                     `plugin stop` overrides that).",
                    store.config().dir.display()
                );
            }
        }
    }
}

impl Plugin for NutorchPlugin {
    fn version(&self) -> String {
        env!("CARGO_PKG_VERSION").into()
    }

    fn commands(&self) -> Vec<Box<dyn PluginCommand<Plugin = Self>>> {
        crate::commands::all()
    }

    fn custom_value_to_base_value(
        &self,
        engine: &EngineInterface,
        custom_value: Spanned<Box<dyn CustomValue>>,
    ) -> std::result::Result<Value, LabeledError> {
        let span = custom_value.span;
        self.run_guarded(engine, span, || match custom_value.item.as_any().downcast_ref::<TensorValue>() {
            Some(t) => Ok(Value::string(self.display(t), span)),
            None => custom_value.item.to_base_value(span).map_err(LabeledError::from),
        })
    }

    fn custom_value_operation(
        &self,
        engine: &EngineInterface,
        left: Spanned<Box<dyn CustomValue>>,
        operator: Spanned<nu_protocol::ast::Operator>,
        right: Value,
    ) -> std::result::Result<Value, LabeledError> {
        self.run_guarded(engine, operator.span, || match left.item.as_any().downcast_ref::<TensorValue>() {
            Some(t) => crate::custom_ops::operation(self, t, left.span, operator, right),
            None => Err(LabeledError::new("Unsupported operation").with_label("not a tensor", left.span)),
        })
    }

    fn custom_value_follow_path_int(
        &self,
        engine: &EngineInterface,
        custom_value: Spanned<Box<dyn CustomValue>>,
        index: Spanned<usize>,
        optional: bool,
    ) -> std::result::Result<Value, LabeledError> {
        self.run_guarded(engine, index.span, || match custom_value.item.as_any().downcast_ref::<TensorValue>() {
            Some(t) => crate::custom_ops::follow_int(self, t, custom_value.span, index, optional),
            None => Err(LabeledError::new("Unsupported cell path").with_label("not a tensor", custom_value.span)),
        })
    }

    fn custom_value_follow_path_string(
        &self,
        engine: &EngineInterface,
        custom_value: Spanned<Box<dyn CustomValue>>,
        column_name: Spanned<String>,
        optional: bool,
        casing: nu_protocol::casing::Casing,
    ) -> std::result::Result<Value, LabeledError> {
        self.run_guarded(engine, column_name.span, || match custom_value.item.as_any().downcast_ref::<TensorValue>() {
            Some(t) => crate::custom_ops::follow_string(self, t, custom_value.span, column_name, optional, casing),
            None => Err(LabeledError::new("Unsupported cell path").with_label("not a tensor", custom_value.span)),
        })
    }

    fn custom_value_save(
        &self,
        engine: &EngineInterface,
        value: Spanned<Box<dyn CustomValue>>,
        path: Spanned<&std::path::Path>,
        save_call_span: Span,
    ) -> std::result::Result<(), LabeledError> {
        self.run_guarded(engine, save_call_span, || crate::save_hook::save(self, &value, path, save_call_span))
    }

    fn custom_value_dropped(
        &self,
        engine: &EngineInterface,
        custom_value: Box<dyn CustomValue>,
    ) -> std::result::Result<(), LabeledError> {
        self.run_guarded(engine, Span::unknown(), || {
            if let Some(t) = custom_value.as_any().downcast_ref::<TensorValue>() {
                // Errors here have nowhere to go but the engine's log; the tensor stays stored.
                let _ = self.store().release(&t.id);
            }
            Ok(())
        })
    }
}
