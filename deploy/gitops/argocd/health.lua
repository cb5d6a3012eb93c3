-- Argo CD health of a kulp.io/v1alpha1 LivePatch (docs/api.md, "Status"), read from the conditions
-- the kulp operator writes. Installed by argocd-cm.yaml beside this file; kept identical to it by
-- ArgoCdHealthCheckTest, which runs this script on the operator's statuses.
--   Degraded:    Stalled=True: halted by the failure policy, rolled back, done with failed or
--                skipped nodes, or an invalid spec. It will not move without a change.
--   Suspended:   Reconciling=True because the rollout is paused (spec.rollout.paused, canary pause).
--   Progressing: Reconciling=True otherwise (rolling out, rolling back), or the operator has not
--                written a status for the current generation yet.
--   Healthy:     Ready=True: every targeted node patched, none failed or skipped.
local hs = { status = "Progressing", message = "waiting for the kulp operator" }
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
if obj.status.observedGeneration ~= obj.metadata.generation then
  hs.message = "waiting for the kulp operator to observe generation " .. tostring(obj.metadata.generation)
  return hs
end
local conditions = {}
for _, c in ipairs(obj.status.conditions) do
  conditions[c.type] = c
end
local function isTrue(type)
  return conditions[type] ~= nil and conditions[type].status == "True"
end
if obj.status.message ~= nil then
  hs.message = obj.status.message
end
if isTrue("Stalled") then
  hs.status = "Degraded"
elseif isTrue("Reconciling") then
  local reason = conditions["Reconciling"].reason
  if reason == "Paused" or reason == "CanaryPause" then
    hs.status = "Suspended"
  end
elseif isTrue("Ready") then
  hs.status = "Healthy"
end
return hs
