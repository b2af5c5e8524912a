//! Commands about where tensors live: `nutorch ls`, `nutorch free`, `nutorch store`.

use crate::args;
use crate::errors::At;
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{record, Example, LabeledError, PipelineData, Signature, SyntaxShape, Type, Value};
use nutorch_store::Residence;

/// `nutorch ls`: the tensors the store knows.
pub struct Ls;

impl PluginCommand for Ls {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch ls"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Nothing, Type::table())])
            .category(super::category())
    }

    fn description(&self) -> &str {
        "The tensors of this shell, in memory or on disk: id, shape, dtype, device, bytes, requires_grad, where, last used."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["list", "tensors", "memory"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "let t = (nutorch zeros 2 3); $t.id in (nutorch ls).id",
            description: "A tensor this shell holds is listed (by its id)",
            result: Some(Value::test_bool(true)),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let span = call.head;
        let rows = plugin.store().list().at(span)?;
        let rows = rows
            .into_iter()
            .map(|t| {
                Value::record(
                    record! {
                        "id" => Value::string(t.id, span),
                        "shape" => Value::list(t.shape.iter().map(|&d| Value::int(d, span)).collect(), span),
                        "dtype" => Value::string(t.dtype, span),
                        "device" => Value::string(t.device, span),
                        "bytes" => Value::filesize(t.bytes as i64, span),
                        "requires_grad" => Value::bool(t.requires_grad, span),
                        "where" => Value::string(match t.residence { Residence::Memory => "memory", Residence::Disk => "disk" }, span),
                        "on_disk" => Value::bool(t.on_disk, span),
                        "last_used" => Value::date(chrono::DateTime::<chrono::Utc>::from(t.last_used).fixed_offset(), span),
                    },
                    span,
                )
            })
            .collect();
        Ok(PipelineData::Value(Value::list(rows, span), None))
    }
}

/// `nutorch free`: delete tensors from memory and disk now.
pub struct Free;

impl PluginCommand for Free {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch free"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Any, Type::Int)])
            .rest("tensors", SyntaxShape::Any, "tensors or tensor ids to free")
            .switch("all", "free every tensor of this shell", None)
            .category(super::category())
    }

    fn description(&self) -> &str {
        "Free tensors from memory and disk (all references to them stop working); returns how many were freed."
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "nutorch linspace 0 1 3 | nutorch free",
            description: "Free a tensor",
            result: Some(Value::test_int(1)),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let store = plugin.store();
        if call.has_flag("all")? {
            let n = store.free_all().at(call.head)?;
            return Ok(PipelineData::Value(Value::int(n as i64, call.head), None));
        }
        let mut targets: Vec<Value> = call.positional.clone();
        match args::input_value(input, call.head)? {
            Value::Nothing { .. } => {}
            Value::List { vals, .. } => targets.extend(vals),
            other => targets.push(other),
        }
        if targets.is_empty() {
            return Err(LabeledError::new("Nothing to free").with_label("give tensors or ids, or --all", call.head));
        }
        let mut freed = 0;
        for target in &targets {
            let id = args::tensor_id(target)?;
            if store.free(&id.item).at(id.span)? {
                freed += 1;
            }
        }
        Ok(PipelineData::Value(Value::int(freed, call.head), None))
    }
}

/// `nutorch store`: where the store is and what it holds.
pub struct StoreInfo;

impl PluginCommand for StoreInfo {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch store"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Nothing, Type::record())])
            .category(super::category())
    }

    fn description(&self) -> &str {
        "Where tensors are spilled, how many there are, the bytes in memory and on disk, and whether the plugin is kept alive (and why)."
    }

    fn extra_description(&self) -> &str {
        "Live tensors are written to the store shortly after the last command, so that Nushell \
         stopping the idle plugin loses nothing. What cannot be written (an autograd graph) keeps \
         the plugin alive instead: `kept_alive` says whether Nushell was asked not to stop it, \
         `kept_alive_because` why. A write that fails (a full disk) also keeps it alive, until a \
         later write succeeds; `write_error` is that write's error (the next command after a failed \
         background write also prints it once). Settings: $env.config.plugins.nutorch = \
         {store_dir: <path>, idle_spill: 1sec, memory_budget: 4GB}."
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "let t = (nutorch zeros 2 3); (nutorch store).tensors >= 1",
            description: "The store counts the tensors it holds",
            result: Some(Value::test_bool(true)),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let span = call.head;
        // Commands keep `kept_alive` up to date from what they do; graphs dropped without a
        // backward are noticed by a look at every tensor, which this report takes at once.
        plugin.refresh_keep_alive(engine);
        let s = plugin.store().summary().at(span)?;
        Ok(PipelineData::Value(
            Value::record(
                record! {
                    "dir" => Value::string(s.dir.display().to_string(), span),
                    "shell_dir" => Value::string(s.shell_dir.display().to_string(), span),
                    "tensors" => Value::int(s.tensors as i64, span),
                    "in_memory" => Value::int(s.in_memory as i64, span),
                    "memory_bytes" => Value::filesize(s.memory_bytes as i64, span),
                    "disk_bytes" => Value::filesize(s.disk_bytes as i64, span),
                    "memory_budget" => s.memory_budget.map(|b| Value::filesize(b as i64, span)).unwrap_or(Value::nothing(span)),
                    "idle_spill" => Value::duration(s.idle_spill.as_nanos() as i64, span),
                    "kept_alive" => Value::bool(plugin.gc_disabled(), span),
                    "kept_alive_because" => Value::list(s.keep_alive.into_iter().map(|r| Value::string(r, span)).collect(), span),
                    "write_error" => s.write_error.map(|e| Value::string(e, span)).unwrap_or(Value::nothing(span)),
                    "index_bytes" => Value::filesize(s.index_bytes as i64, span),
                },
                span,
            ),
            None,
        ))
    }
}
